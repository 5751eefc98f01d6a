//! Views whose code loads the first time they are shown: pages
//! (src/pages/lazy.rs) and parts of a page that most visits never show,
//! such as the transaction notices or the wallet chooser. Either way a
//! failed fetch says why and offers to fetch again.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;

use crate::code_split::CodeNotLoaded;

pub(crate) type ViewLoad = Pin<Box<dyn Future<Output = Result<AnyView, CodeNotLoaded>>>>;

/// Shows what `load` returns once its code has arrived (nothing before),
/// or why it could not be fetched, with a button that fetches again.
#[component]
pub fn LazyPart<Load, Loading>(load: Load) -> impl IntoView
where
    Load: Fn() -> Loading + Send + Sync + 'static,
    Loading: Future<Output = Result<AnyView, CodeNotLoaded>> + 'static,
{
    lazy_view(
        Arc::new(move || Box::pin(load()) as ViewLoad),
        || ().into_any(),
        |problem, try_again| {
            view! {
                <p class="code-missing" role="alert" data-testid="part-code-missing">
                    {problem.to_string()} " "
                    <button type="button" class="button small" on:click=move |_| try_again.run(())>
                        "Try again"
                    </button>
                </p>
            }
            .into_any()
        },
    )
}

/// The one rendering of a lazily loaded view, not generic, so that each
/// page or part adds only its loader: `loading` until the code arrives, or
/// `failed` with the reason and a callback that fetches again.
pub(crate) fn lazy_view(
    load: Arc<dyn Fn() -> ViewLoad + Send + Sync>,
    loading: fn() -> AnyView,
    failed: fn(CodeNotLoaded, Callback<()>) -> AnyView,
) -> AnyView {
    let attempt = RwSignal::new(0u32);
    let try_again = Callback::new(move |()| attempt.update(|n| *n += 1));
    let shown = move || {
        attempt.track();
        let fetched = load();
        Suspend::new(send_wrapper::SendWrapper::new(async move {
            match fetched.await {
                Ok(view) => view,
                Err(problem) => failed(problem, try_again),
            }
        }))
    };
    view! { <Suspense fallback=loading>{shown}</Suspense> }.into_any()
}
