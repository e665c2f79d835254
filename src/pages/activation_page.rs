use leptos::prelude::*;

/// A technician sets their password from the invitation link (being written).
#[component]
pub fn ActivationPage() -> impl IntoView {
    view! { <main id="main"></main> }
}
