//! The choice of a Partner Center connection for pages that show one at a time (the catalog,
//! the tenants to import): a GET form that puts `connection` in the address. Nothing when
//! there is only one connection.

use leptos::prelude::*;

/// `action`: the page's path; `connections`: (id, name); `chosen`: the id shown now.
#[component]
pub fn ConnectionPicker(
    action: &'static str,
    connections: Vec<(String, String)>,
    chosen: String,
) -> impl IntoView {
    (connections.len() > 1).then(|| {
        let options = connections
            .into_iter()
            .map(|(id, name)| {
                let selected = id == chosen;
                view! { <option value=id selected=selected>{name}</option> }
            })
            .collect_view();
        view! {
            <form method="GET" action=action class="filters">
                <div class="field">
                    <label for="connection">{tr!(p_connection_picker.connection)}</label>
                    <select class="select" id="connection" name="connection">{options}</select>
                </div>
                <button type="submit" class="button button-secondary">{tr!(p_connection_picker.show)}</button>
            </form>
        }
    })
}
