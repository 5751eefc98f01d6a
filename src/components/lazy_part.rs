//! A part of a page whose code loads the first time it is shown, as pages
//! do (src/pages/lazy.rs): for parts that most visits never show, such as
//! the transaction notices or the wallet chooser.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;

use crate::code_split::CodeNotLoaded;

type PartLoad = Pin<Box<dyn Future<Output = Result<AnyView, CodeNotLoaded>>>>;

/// Shows what `load` returns once its code has arrived (nothing before),
/// or why it could not be fetched; shown again, it fetches again.
#[component]
pub fn LazyPart<Load, Loading>(load: Load) -> impl IntoView
where
    Load: Fn() -> Loading + Send + Sync + 'static,
    Loading: Future<Output = Result<AnyView, CodeNotLoaded>> + 'static,
{
    // The rendering is not generic, so that each part adds only its loader.
    lazy_part(Arc::new(move || Box::pin(load()) as PartLoad))
}

fn lazy_part(load: Arc<dyn Fn() -> PartLoad + Send + Sync>) -> AnyView {
    let part = move || {
        let loading = load();
        Suspend::new(send_wrapper::SendWrapper::new(async move {
            match loading.await {
                Ok(part) => part,
                Err(problem) => view! {
                    <p class="code-missing" role="alert" data-testid="part-code-missing">
                        {problem.to_string()}
                    </p>
                }
                .into_any(),
            }
        }))
    };
    view! { <Suspense>{part}</Suspense> }.into_any()
}
