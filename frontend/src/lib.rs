//! The browser entry point. Pages are HTML from the server; their interactive parts are
//! islands (`#[island]`), which the islands script hydrates one by one, each page's from a
//! wasm chunk of its own. This crate links them in and starts the reactive runtime.

#[allow(unused_imports)]
use app::*;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

/// Room for the wasm splitter to move each page's constant data (its words, its static text)
/// into that page's chunk. The splitter lays the read-only data out again, chunk by chunk, each
/// chunk's share aligned; that costs a few hundred bytes more than the linker's layout, and when
/// the result is longer than the original segment it gives up and leaves *all* of it in the
/// main module ("Overlong segment 0 … putting it in main module"). This block is kept by the
/// linker (`#[used]`) but used by no code, so the splitter drops it and its length is the
/// room. It never reaches the browser.
#[used]
static SPLIT_ROOM: [u8; 4096] = [0xA5; 4096];
