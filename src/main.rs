//! Entry point of the browser app: mounts it into the page. Trunk builds
//! this for wasm32; a native build only says where the app really runs.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(minty::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "Minty for the browser runs in a web page: start it with `trunk serve` (see README.md)."
    );
    std::process::exit(2);
}
