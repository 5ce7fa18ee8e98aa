//! Short-lived notices in the corner ("Status refreshed"), announced to screen readers.

use leptos::prelude::*;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
    Info,
}

#[derive(Debug, Clone, PartialEq)]
struct Toast {
    id: u64,
    kind: ToastKind,
    message: String,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

impl Toasts {
    /// Shows `message` for a few seconds (errors stay until dismissed).
    pub fn push(&self, kind: ToastKind, message: impl Into<String>) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.items.update(|items| {
            items.push(Toast {
                id,
                kind,
                message: message.into(),
            })
        });
        if kind != ToastKind::Error {
            let items = self.items;
            set_timeout(
                move || items.update(|items| items.retain(|t| t.id != id)),
                Duration::from_secs(4),
            );
        }
    }

    fn dismiss(&self, id: u64) {
        self.items.update(|items| items.retain(|t| t.id != id));
    }
}

pub fn provide_toasts() {
    provide_context(Toasts {
        items: RwSignal::new(Vec::new()),
        next_id: StoredValue::new(0),
    });
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// The notices. A plain list rather than a keyed `<For>`: rarely more than one shows at a time,
/// and the keyed diff would be code in every page's first load for this list alone.
#[component]
pub fn Toaster() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            {move || {
                toasts
                    .items
                    .get()
                    .into_iter()
                    .map(|toast| toast_view(toasts, toast))
                    .collect_view()
            }}
        </div>
    }
}

fn toast_view(toasts: Toasts, toast: Toast) -> impl IntoView {
    let kind = match toast.kind {
        ToastKind::Success => "success",
        ToastKind::Error => "error",
        ToastKind::Info => "info",
    };
    view! {
        <div class=format!("toast toast-{kind}")>
            <span class="toast-message">{toast.message}</span>
            <button
                type="button"
                class="toast-close"
                aria-label=tr!(common.dismiss)
                on:click=move |_| toasts.dismiss(toast.id)
            >
                "×"
            </button>
        </div>
    }
}
