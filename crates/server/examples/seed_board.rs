//! Writes the board benchmark's data set (../shared/BENCH.md) into a database, so that
//! `cargo xtask bench` can measure `nav_to_board_ms` against the real server: one
//! company "Bench" (time zone UTC, CHF) with the dispatcher `bench@bench.example`
//! (password `demo1234`), `T` verified technicians "Technician 1…T" and `C` calls drawn
//! by BENCH.md's LCG (seed 42), each won by the company and assigned to its technician.
//! Only a bench tool: the server itself never writes this data.
//!
//! ```text
//! cargo run -p server --release --example seed_board -- \
//!     --database sqlite:///tmp/bench.db --technicians 50 --calls 2000
//! ```
//!
//! The week starts on the Monday of the current week (UTC) unless `--monday YYYY-MM-DD`
//! says otherwise: the calendar opens on today's week, so the data set lies where a
//! dispatcher's first screen is. Colours follow from the calls' states (the server
//! computes them): every call is assigned, and calls with `i mod 4 = 2` still wait for
//! the client to be called (orange), the others are ready (green).

use chrono::{Datelike, Duration, NaiveDate, Utc};
use domain::{
    api::Role,
    booking::{Address, BookingRequest, Client, ServiceType},
    call::ServiceCall,
    command::{Actor, Command},
    flow::apply,
    money::{Currency, Money},
    slot::TimeSlot,
    technician::TechnicianFacts,
};
use server::{
    db::{accounts, calls as store, Db},
    password,
};
use uuid::Uuid;

/// BENCH.md's random numbers: `s = s * 1664525 + 1013904223 mod 2^32`, seed 42.
struct Lcg(u32);

impl Lcg {
    fn draw(&mut self, n: u32) -> u32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let v = (f64::from(self.0) / 4_294_967_296.0 * f64::from(n)).floor() as u32;
        v
    }
}

struct Args {
    database: String,
    technicians: u32,
    calls: u32,
    monday: NaiveDate,
}

fn args() -> Args {
    let today = Utc::now().date_naive();
    let mut args = Args {
        database: String::new(),
        technicians: 50,
        calls: 2_000,
        monday: today - Duration::days(i64::from(today.weekday().num_days_from_monday())),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--database" => args.database = value,
            "--technicians" => args.technicians = value.parse().expect("--technicians N"),
            "--calls" => args.calls = value.parse().expect("--calls N"),
            "--monday" => args.monday = value.parse().expect("--monday YYYY-MM-DD"),
            other => panic!(
                "unknown flag {other} (--database URL --technicians T --calls C --monday DATE)"
            ),
        }
    }
    assert!(!args.database.is_empty(), "--database URL is required");
    assert!(args.technicians > 0, "--technicians must be at least 1");
    args
}

fn booking(i: u32, start: chrono::DateTime<Utc>, minutes: u32) -> BookingRequest {
    BookingRequest {
        external_id: format!("BENCH-{i}"),
        service: ServiceType {
            code: "plumbing.bench".to_owned(),
            name: format!("Service call {i}"),
            skill: "plumbing".to_owned(),
            duration_minutes: minutes,
            recommended_price: Money::new(12_000, Currency::CHF),
            extra_unit_price: None,
        },
        client: Client {
            name: format!("Client {i}"),
            phone: "+41 79 123 45 67".to_owned(),
            email: format!("client{i}@bench.example"),
            address: Address {
                street: "Bahnhofstrasse 1".to_owned(),
                postcode: "8001".to_owned(),
                city: "Zürich".to_owned(),
                country: "CH".to_owned(),
            },
            locale: None,
        },
        slot: Some(TimeSlot {
            start,
            end: start + Duration::minutes(i64::from(minutes)),
        }),
        notes: None,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args = args();
    let db = Db::connect(&args.database).await?;
    db.migrate().await?;
    assert!(
        !accounts::any_company(&db).await?,
        "the database must be empty (a fresh file)"
    );
    let company = accounts::create_company(
        &db,
        &accounts::NewCompany {
            name: "Bench",
            email: "office@bench.example",
            time_zone: "UTC",
            currency: "CHF",
            service_area: "8000-8099",
            skills: "plumbing",
        },
    )
    .await?;
    let hash = password::hash(server::seed::DEMO_PASSWORD.to_owned()).await?;
    let dispatcher = accounts::create_user(
        &db,
        company,
        Role::Dispatcher,
        "Bench",
        "bench@bench.example",
        Some(&hash),
    )
    .await?;
    let mut technicians = Vec::new();
    for i in 0..args.technicians {
        let name = format!("Technician {}", i + 1);
        let email = format!("tech{}@bench.example", i + 1);
        let id = accounts::create_user(&db, company, Role::Technician, &name, &email, Some(&hash))
            .await?;
        accounts::set_technician_profile(&db, id, &["plumbing"], Some("demo-avatar")).await?;
        technicians.push(TechnicianFacts {
            id,
            company_id: company,
            activated: true,
            has_photo: true,
            skills: vec!["plumbing".to_owned()],
        });
    }
    let monday = args
        .monday
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    let now = Utc::now();
    let actor = Actor::Dispatcher {
        user_id: dispatcher,
        company_id: company,
    };
    let mut rng = Lcg(42);
    // One transaction for the whole data set: 10,000 single commits would take minutes.
    let mut tx = db.pool.begin().await?;
    for i in 0..args.calls {
        let day = rng.draw(7);
        let slot = 28 + rng.draw(40);
        let quarters = 2 + rng.draw(6);
        let tech = rng.draw(args.technicians);
        let start =
            monday + Duration::days(i64::from(day)) + Duration::minutes(i64::from(slot) * 15);
        let call = ServiceCall::new(
            Uuid::from_u128(u128::from(i) + 1),
            booking(i, start, quarters * 15),
            now,
        );
        let offer = Command::Offer {
            companies: vec![company],
        };
        let (call, _) = apply(&call, offer, &Actor::Marketplace, now)?;
        let (call, _) = apply(&call, Command::Accept, &actor, now)?;
        let assign = Command::Assign {
            technician: technicians[tech as usize].clone(),
        };
        let (mut call, _) = apply(&call, assign, &actor, now)?;
        if i % 4 != 2 {
            call = apply(&call, Command::ConfirmClientCalled, &actor, now)?.0;
        }
        store::insert_new(&mut tx, &call).await?;
    }
    tx.commit().await?;
    println!(
        "seeded {} technicians and {} calls in the week of {} (sign in as bench@bench.example)",
        args.technicians, args.calls, args.monday
    );
    Ok(())
}
