//! A checkbox that chooses items of a list (findings, reductions) by their keys: ticked when
//! every one of its keys is chosen; ticking it chooses them all, unticking it none of them. One
//! key for a row, every key for the "choose all" box of a table.

use leptos::prelude::*;

/// `changed` runs after each change (to forget a preview made for the old choice).
pub fn choice_box(
    chosen: RwSignal<Vec<String>>,
    keys: Vec<String>,
    label: String,
    changed: impl Fn() + 'static,
) -> impl IntoView {
    let ticked = {
        let keys = keys.clone();
        move || chosen.with(|c| !keys.is_empty() && keys.iter().all(|k| c.contains(k)))
    };
    view! {
        <input
            type="checkbox"
            aria-label=label
            prop:checked=ticked.clone()
            on:change=move |_| {
                let on = !ticked();
                chosen.update(|c| {
                    c.retain(|k| !keys.contains(k));
                    if on {
                        c.extend(keys.iter().cloned());
                    }
                });
                changed();
            }
        />
    }
}
