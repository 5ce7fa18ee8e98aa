//! The browser entry point: hydrates the server-rendered page (lazily: a page's own wasm chunk is
//! fetched before its part of the page hydrates).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
