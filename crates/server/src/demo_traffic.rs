//! Demo mode's marketplace: a generator that posts a realistic booking every few seconds
//! through the real intake ([`crate::http::marketplace::intake`]), so both demo
//! companies race for it, and a few calls in every state for an empty demo board.

use std::time::Duration;

use chrono::{DateTime, Duration as Span, DurationRound, Utc};
use sqlx::Row;
use tokio::{sync::watch, task::JoinHandle};
use uuid::Uuid;

use crate::{
    db::{accounts::parse_uuid, calls as store, team::technician_facts, Db},
    http::marketplace::{intake, Intake},
    AppState,
};
use domain::{
    booking::{Address, BookingRequest, Client, ServiceType},
    call::ServiceCall,
    command::{Actor, Command},
    flow::apply,
    money::{Currency, Money},
    slot::TimeSlot,
};

/// Services the demo marketplace sells: code, name, skill, minutes, price in CHF and EUR.
const SERVICES: [(&str, &str, &str, u32, i64, i64); 6] = [
    (
        "plumbing.leak",
        "Fix a leaking tap",
        "plumbing",
        60,
        12000,
        11000,
    ),
    (
        "plumbing.drain",
        "Unblock a drain",
        "plumbing",
        90,
        18000,
        16500,
    ),
    (
        "plumbing.boiler",
        "Service a water heater",
        "plumbing",
        120,
        24000,
        22000,
    ),
    (
        "electrics.socket",
        "Replace a socket",
        "electrics",
        45,
        9000,
        8500,
    ),
    (
        "electrics.lamp",
        "Install a ceiling lamp",
        "electrics",
        60,
        11000,
        10000,
    ),
    (
        "electrics.fuse",
        "Find a tripping fuse",
        "electrics",
        90,
        16000,
        15000,
    ),
];
const NAMES: [&str; 8] = [
    "Anna Muster",
    "Peter Huber",
    "Claire Dubois",
    "Marco Rossi",
    "Sophie Weber",
    "Thomas Müller",
    "Elena Graf",
    "David Keller",
];
const STREETS: [&str; 6] = [
    "Bahnhofstrasse",
    "Seefeldstrasse",
    "Langstrasse",
    "Badenerstrasse",
    "Hardturmstrasse",
    "Forchstrasse",
];
const NOTES: [Option<&str>; 4] = [
    None,
    Some("Please ring twice"),
    Some("Parking in the courtyard"),
    Some("Dog in the flat, friendly"),
];

/// A small deterministic source of variety (no need for a random-number crate).
struct Dice(u128);

impl Dice {
    fn new() -> Self {
        Dice(Uuid::new_v4().as_u128())
    }
    fn pick(&mut self, n: usize) -> usize {
        let n128 = n.max(1) as u128;
        let v = self.0 % n128;
        self.0 /= n128;
        if self.0 < 1 << 20 {
            self.0 = Uuid::new_v4().as_u128();
        }
        usize::try_from(v).unwrap_or(0)
    }
}

/// A realistic booking in Zürich (postcodes 8000–8099), priced in `currency`, dated
/// within the next days on the 15-minute grid or, for some, undated.
pub fn demo_booking(seq: u64, currency: Currency, now: DateTime<Utc>) -> BookingRequest {
    let mut dice = Dice::new();
    let (code, name, skill, minutes, chf, eur) = SERVICES[dice.pick(SERVICES.len())];
    let amount = if currency == Currency::CHF { chf } else { eur };
    let client = NAMES[dice.pick(NAMES.len())];
    let email = format!(
        "{}@example.ch",
        client.to_lowercase().replace(' ', ".").replace('ü', "ue")
    );
    let slot = (dice.pick(3) != 0).then(|| {
        let day = now.duration_trunc(Span::days(1)).unwrap_or(now);
        let days = 1 + i64::try_from(dice.pick(7)).unwrap_or(0);
        let quarter_hours = 28 + i64::try_from(dice.pick(28)).unwrap_or(0); // 07:00–13:45 UTC
        let start = day + Span::days(days) + Span::minutes(15 * quarter_hours);
        TimeSlot {
            start,
            end: start + Span::minutes(i64::from(minutes)),
        }
    });
    BookingRequest {
        external_id: format!("DEMO-{}-{seq}", &Uuid::new_v4().simple().to_string()[..8]),
        service: ServiceType {
            code: code.to_owned(),
            name: name.to_owned(),
            skill: skill.to_owned(),
            duration_minutes: minutes,
            recommended_price: Money::new(amount, currency),
            extra_unit_price: None,
        },
        client: Client {
            name: client.to_owned(),
            phone: format!(
                "+41 79 {:03} {:02} {:02}",
                100 + dice.pick(900),
                dice.pick(100),
                dice.pick(100)
            ),
            email,
            address: Address {
                street: format!(
                    "{} {}",
                    STREETS[dice.pick(STREETS.len())],
                    1 + dice.pick(120)
                ),
                postcode: format!("80{:02}", dice.pick(100)),
                city: "Zürich".to_owned(),
                country: "CH".to_owned(),
            },
            locale: None,
        },
        slot,
        notes: NOTES[dice.pick(NOTES.len())].map(str::to_owned),
    }
}

/// Posts a demo booking every `every` until `stop` turns true. Currencies alternate
/// (CHF, EUR) so the bookings look like both demo companies' markets; every booking is
/// offered to both, since both serve 8000–8099 with plumbing and electrics.
pub fn spawn(state: AppState, every: Duration, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut seq: u64 = 0;
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                () = tokio::time::sleep(every) => {}
            }
            seq += 1;
            let currency = if seq % 2 == 1 {
                Currency::CHF
            } else {
                Currency::EUR
            };
            match intake(&state, demo_booking(seq, currency, Utc::now())).await {
                Ok(Intake::Created(r) | Intake::Existing(r)) => {
                    tracing::info!(call = %r.id, offered_to = r.offered_to.len(), "demo booking posted");
                }
                Err(err) => tracing::warn!(?err, "demo booking refused"),
            }
        }
    })
}

/// The first verified technician of `company` with `skill`, if any.
async fn technician_with(
    db: &Db,
    company: Uuid,
    skill: &str,
) -> Result<Option<domain::technician::TechnicianFacts>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id FROM users WHERE company_id = $1 AND role = 'technician' ORDER BY name",
    )
    .bind(company.to_string())
    .fetch_all(&db.pool)
    .await?;
    for row in rows {
        let id = parse_uuid(row.try_get("id")?)?;
        if let Some((facts, true)) = technician_facts(db, company, id).await? {
            if facts.verification().verified && facts.has_skill(skill) {
                return Ok(Some(facts));
            }
        }
    }
    Ok(None)
}

/// Fills an empty `calls` table with a few calls in every state for every company: two
/// blue requests offered to all, and per company one white undated, one white/orange
/// dated, one orange assigned and one green. No notifications are sent for them.
pub async fn seed_calls(
    state: &AppState,
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let db = &state.db;
    if store::count(db).await? > 0 {
        return Ok(0);
    }
    let companies: Vec<(Uuid, String)> =
        sqlx::query("SELECT id, currency FROM companies ORDER BY created_at, id")
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| Ok((parse_uuid(r.try_get("id")?)?, r.try_get("currency")?)))
            .collect::<Result<_, sqlx::Error>>()?;
    let all: Vec<Uuid> = companies.iter().map(|c| c.0).collect();
    let now = Utc::now();
    let tomorrow = now.duration_trunc(Span::days(1)).unwrap_or(now) + Span::days(1);
    let at = |day: i64, hour: i64| TimeSlot {
        start: tomorrow + Span::days(day) + Span::hours(hour),
        end: tomorrow + Span::days(day) + Span::hours(hour + 1),
    };
    let mut seq = 0_u64;
    let mut written = 0;
    let mut make = |currency: Currency, slot: Option<TimeSlot>| {
        seq += 1;
        let mut booking = demo_booking(seq, currency, now);
        booking.external_id = format!("SEED-{seq}");
        booking.service.duration_minutes = 60;
        booking.slot = slot;
        ServiceCall::new(Uuid::new_v4(), booking, now)
    };
    let mut calls = vec![
        (make(Currency::CHF, Some(at(0, 8))), None, 0),
        (make(Currency::EUR, None), None, 0),
    ];
    for (i, (company, currency)) in companies.iter().enumerate() {
        let currency: Currency = currency.parse().unwrap_or(Currency::CHF);
        let day = i64::try_from(i).unwrap_or(0);
        calls.push((make(currency, None), Some(*company), 0));
        calls.push((make(currency, Some(at(day, 9))), Some(*company), 0));
        calls.push((make(currency, Some(at(day, 11))), Some(*company), 1));
        calls.push((make(currency, Some(at(day, 13))), Some(*company), 2));
    }
    for (call, winner, tasks) in calls {
        let (mut call, _) = apply(
            &call,
            Command::Offer {
                companies: all.clone(),
            },
            &Actor::Marketplace,
            now,
        )?;
        if let Some(company) = winner {
            let dispatcher = Actor::Dispatcher {
                user_id: Uuid::nil(),
                company_id: company,
            };
            call = apply(&call, Command::Accept, &dispatcher, now)?.0;
            if tasks >= 1 {
                if let Some(tech) = technician_with(db, company, &call.service.skill).await? {
                    call = apply(
                        &call,
                        Command::Assign { technician: tech },
                        &dispatcher,
                        now,
                    )?
                    .0;
                }
            }
            if tasks >= 2 {
                call = apply(&call, Command::ConfirmClientCalled, &dispatcher, now)?.0;
            }
        }
        let mut tx = db.pool.begin().await?;
        if store::insert_new(&mut tx, &call).await? {
            written += 1;
        }
        tx.commit().await?;
    }
    tracing::info!(calls = written, "demo calls seeded");
    Ok(written)
}
