use leptos::prelude::*;

/// A technician's own profile: photo and skills (being written).
#[component]
pub fn MyProfilePage() -> impl IntoView {
    view! { <main id="main"></main> }
}
