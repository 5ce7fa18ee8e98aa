//! A modal dialog on the native `<dialog>` element: the browser gives it the dialog role, keeps
//! Tab inside it, closes it on Escape and returns focus afterwards. It opens when mounted.

use leptos::prelude::*;

#[component]
pub fn Dialog(
    #[prop(into)] title: String,
    /// Called when the dialog closes (Escape, or a Close button that calls it).
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Dialog>::new();
    let title_id = format!(
        "dialog-{}",
        title
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase()
    );
    // Opened as a modal once the element is in the document: a dialog made inside a suspended
    // view (its code loaded lazily) is attached a frame or two after it is made.
    Effect::new(move |_| {
        if let Some(dialog) = node.get() {
            open_when_attached(dialog, 10);
        }
    });
    let labelled_by = title_id.clone();
    view! {
        <dialog
            node_ref=node
            class="dialog"
            aria-labelledby=labelled_by
            on:close=move |_| on_close.run(())
        >
            <div class="dialog-header">
                <h2 class="dialog-title" id=title_id>{title}</h2>
            </div>
            {children()}
        </dialog>
    }
}

/// What a dialog's button runs: `busy` while it runs (bind the button's `disabled` to it), the
/// error shown in the dialog, and what follows a success.
#[derive(Clone, Copy)]
pub struct DialogAction {
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<crate::error::AppError>>,
}

impl DialogAction {
    pub fn new() -> Self {
        DialogAction {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Runs `work` in the browser; on success clears the error and calls `then` with the
    /// answer, on failure shows the error.
    pub fn run<T: 'static>(
        self,
        work: impl std::future::Future<Output = Result<T, crate::error::AppError>> + 'static,
        then: impl FnOnce(T) + 'static,
    ) {
        self.run_or(work, then, || ());
    }

    /// [`run`](Self::run), and `failed` after a failure is shown.
    pub fn run_or<T: 'static>(
        self,
        work: impl std::future::Future<Output = Result<T, crate::error::AppError>> + 'static,
        then: impl FnOnce(T) + 'static,
        failed: impl FnOnce() + 'static,
    ) {
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            let result = work.await;
            self.busy.set(false);
            match result {
                Ok(value) => {
                    self.error.set(None);
                    then(value);
                }
                Err(e) => {
                    self.error.set(Some(e));
                    failed();
                }
            }
        });
    }
}

impl Default for DialogAction {
    fn default() -> Self {
        Self::new()
    }
}

/// `show_modal` needs the element in the document; try again on the next frames until it is.
fn open_when_attached(dialog: leptos::web_sys::HtmlDialogElement, frames: u8) {
    if dialog.open() {
        return;
    }
    if dialog.is_connected() {
        let _ = dialog.show_modal();
    } else if frames > 0 {
        request_animation_frame(move || open_when_attached(dialog, frames - 1));
    }
}
