//! Entry point of the wasm app: mounts [`dispatch_app::App`] on `<body>`.

fn main() {
    // Where the app's own work starts, for `cargo xtask bench` (`nav_to_board_ms` parts).
    dispatch_app::mark("app-start");
    console_error_panic_hook::set_once();
    // The board read goes out now, before the app is built (see the module).
    dispatch_app::api::prefetch::start();
    leptos::mount::mount_to_body(dispatch_app::App);
}
