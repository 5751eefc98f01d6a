//! A part of a page whose code loads the first time it is shown, as pages
//! do (src/pages/lazy.rs): for parts that most visits never show, such as
//! the transaction notices or the wallet chooser.

use std::future::Future;

use leptos::prelude::*;

use crate::code_split::CodeNotLoaded;

/// Shows what `load` returns once its code has arrived (nothing before),
/// or why it could not be fetched; shown again, it fetches again.
#[component]
pub fn LazyPart<Load, Loading>(load: Load) -> impl IntoView
where
    Load: Fn() -> Loading + Copy + Send + Sync + 'static,
    Loading: Future<Output = Result<AnyView, CodeNotLoaded>> + 'static,
{
    let part = move || {
        Suspend::new(send_wrapper::SendWrapper::new(async move {
            match load().await {
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
    view! { <Suspense>{part}</Suspense> }
}
