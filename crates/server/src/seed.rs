//! Demo data for `cargo xtask run`: two companies racing for the same postcodes and
//! skills, their dispatchers and technicians (verified and not). Only written into an
//! empty database, and only in demo mode.

use crate::{
    db::{accounts, Db},
    password,
};
use domain::api::Role;

/// The marketplace's bearer key in demo mode.
pub const DEMO_MARKETPLACE_KEY: &str = "demo-marketplace-key";
/// Alpen's partner API key in demo mode (the demo partner page mints embed sign-ins
/// with it). Stored hashed like any other.
pub const DEMO_PARTNER_KEY: &str = "demo-partner-key-alpen";
/// The partner site Alpen allows to embed its board in demo mode (`cargo xtask run`
/// serves a demo partner page there).
pub const DEMO_EMBED_ORIGIN: &str = "http://localhost:4100";
/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo1234";

/// A demo company with its dispatcher and technicians.
struct DemoCompany {
    name: &'static str,
    email: &'static str,
    time_zone: &'static str,
    currency: &'static str,
    dispatcher: (&'static str, &'static str),
    /// Name, e-mail, skills, has a photo.
    technicians: &'static [(&'static str, &'static str, &'static [&'static str], bool)],
}

const COMPANIES: [DemoCompany; 2] = [
    DemoCompany {
        name: "Alpen Sanitär AG",
        email: "office@alpen.example",
        time_zone: "Europe/Zurich",
        currency: "CHF",
        dispatcher: ("Sandra Meier", "dispatcher@alpen.example"),
        technicians: &[
            (
                "Anna Keller",
                "anna.keller@alpen.example",
                &["plumbing"],
                true,
            ),
            (
                "Luca Brunner",
                "luca.brunner@alpen.example",
                &["plumbing", "electrics"],
                true,
            ),
            (
                "Marco Steiner",
                "marco.steiner@alpen.example",
                &["electrics"],
                true,
            ),
            ("Nina Frei", "nina.frei@alpen.example", &["plumbing"], false),
        ],
    },
    DemoCompany {
        name: "Rhein Haustechnik GmbH",
        email: "buero@rhein.example",
        time_zone: "Europe/Berlin",
        currency: "EUR",
        dispatcher: ("Jonas Becker", "dispatcher@rhein.example"),
        technicians: &[
            (
                "Lena Schmidt",
                "lena.schmidt@rhein.example",
                &["plumbing"],
                true,
            ),
            (
                "Tobias Wagner",
                "tobias.wagner@rhein.example",
                &["plumbing", "electrics"],
                true,
            ),
            (
                "Mia Hoffmann",
                "mia.hoffmann@rhein.example",
                &["electrics"],
                true,
            ),
            (
                "Paul Richter",
                "paul.richter@rhein.example",
                &["electrics"],
                false,
            ),
        ],
    },
];

/// The demo sign-ins, as printed by `cargo xtask run`.
pub fn demo_logins() -> Vec<(&'static str, &'static str)> {
    COMPANIES.iter().map(|c| (c.name, c.dispatcher.1)).collect()
}

/// Fills an empty database with the demo companies. Does nothing if any company exists.
pub async fn seed_demo(db: &Db) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if accounts::any_company(db).await? {
        return Ok(());
    }
    // One hash for every demo account keeps start-up fast; each still verifies normally.
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    for (i, company) in COMPANIES.iter().enumerate() {
        let company_id = accounts::create_company(
            db,
            &accounts::NewCompany {
                name: company.name,
                email: company.email,
                time_zone: company.time_zone,
                currency: company.currency,
                service_area: "8000-8099",
                skills: "plumbing,electrics",
            },
        )
        .await?;
        let (name, email) = company.dispatcher;
        accounts::create_user(db, company_id, Role::Dispatcher, name, email, Some(&hash)).await?;
        for (name, email, skills, has_photo) in company.technicians {
            let id =
                accounts::create_user(db, company_id, Role::Technician, name, email, Some(&hash))
                    .await?;
            let photo = has_photo.then_some("demo-avatar");
            accounts::set_technician_profile(db, id, skills, photo).await?;
        }
        if i == 0 {
            crate::db::company::add_origin(db, company_id, DEMO_EMBED_ORIGIN).await?;
            let prefix: String = DEMO_PARTNER_KEY.chars().take(12).collect();
            crate::db::company::set_partner_key(db, company_id, DEMO_PARTNER_KEY, &prefix).await?;
        }
    }
    tracing::info!("demo data seeded");
    Ok(())
}
