//! What the marketplace sends when a customer books: service type, client, optional slot.
//!
//! [`BookingRequest`] is the body of `POST /api/v1/marketplace/requests`;
//! [`BookingRequest::validate`] lists every invalid field at once so the intake endpoint
//! can answer one complete 422.

use serde::{Deserialize, Serialize};

use crate::api::FieldError;
use crate::money::Money;
use crate::slot::TimeSlot;

/// Longest accepted free text (notes), in characters.
pub const MAX_NOTES_CHARS: usize = 4000;
/// Longest accepted short text (names, codes, address lines), in characters.
pub const MAX_SHORT_CHARS: usize = 200;
/// Longest package the marketplace may sell: a working day.
pub const MAX_DURATION_MINUTES: u32 = 12 * 60;

/// A bookable service package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceType {
    /// Marketplace code, e.g. `plumbing.leak`.
    pub code: String,
    /// Customer-facing name, e.g. "Fix a leaking tap".
    pub name: String,
    /// The skill a technician needs, e.g. `plumbing`.
    pub skill: String,
    /// How long the package takes.
    pub duration_minutes: u32,
    /// The package price the marketplace suggests; the agreed price may differ.
    pub recommended_price: Money,
    /// Suggested price of one extra 30-minute unit, when the marketplace sets one;
    /// otherwise it is derived pro rata (see [`crate::order::extra_unit_price`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_unit_price: Option<Money>,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2, e.g. `CH`.
    pub country: String,
}

/// The customer who booked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Client {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: Address,
    /// The language the client booked in, as a BCP 47 tag (`fr-CH`, `de`): every e-mail
    /// to the client is written in it ([`crate::locale::Locale::resolve`] with the
    /// address's country; absent: the country's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

impl Client {
    /// The locale the client's e-mails are written in.
    pub fn locale(&self) -> crate::locale::Locale {
        crate::locale::Locale::resolve(self.locale.as_deref(), &self.address.country)
    }
}

/// A booking as the marketplace sends it (see DESIGN.md, "Marketplace intake").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BookingRequest {
    /// The marketplace's own id; sending the same one twice must not create two calls.
    pub external_id: String,
    pub service: ServiceType,
    pub client: Client,
    /// The date/time the customer chose, if any.
    #[serde(default)]
    pub slot: Option<TimeSlot>,
    #[serde(default)]
    pub notes: Option<String>,
}

impl BookingRequest {
    /// Every invalid field, with JSON paths such as `client.email` or `slot.end`. Empty
    /// means valid.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut err = |field: &str, code: &str, message: &str| {
            errors.push(FieldError {
                field: field.to_owned(),
                code: code.to_owned(),
                message: message.to_owned(),
            });
        };

        short_text(&mut err, "external_id", &self.external_id);
        let s = &self.service;
        short_text(&mut err, "service.code", &s.code);
        short_text(&mut err, "service.name", &s.name);
        short_text(&mut err, "service.skill", &s.skill);
        if s.duration_minutes == 0 || s.duration_minutes > MAX_DURATION_MINUTES {
            err(
                "service.duration_minutes",
                "out_of_range",
                "the duration must be between 1 and 720 minutes",
            );
        }
        if s.recommended_price.amount_minor <= 0 {
            err(
                "service.recommended_price.amount_minor",
                "not_positive",
                "the recommended price must be positive",
            );
        } else if s.recommended_price.amount_minor > Money::MAX_INPUT_MINOR {
            err(
                "service.recommended_price.amount_minor",
                "out_of_range",
                "the recommended price is too large",
            );
        }
        if let Some(unit) = s.extra_unit_price {
            if unit.currency != s.recommended_price.currency {
                err(
                    "service.extra_unit_price.currency",
                    "currency_mismatch",
                    "the extra unit price must be in the currency of the recommended price",
                );
            }
            if unit.amount_minor < 0 || unit.amount_minor > Money::MAX_INPUT_MINOR {
                err(
                    "service.extra_unit_price.amount_minor",
                    "out_of_range",
                    "the extra unit price must be between zero and the maximum price",
                );
            }
        }

        let c = &self.client;
        short_text(&mut err, "client.name", &c.name);
        if c.phone.trim().is_empty() {
            err("client.phone", "required", "this field is required");
        } else if !is_plausible_phone(&c.phone) {
            err(
                "client.phone",
                "invalid_phone",
                "a phone number has 6 to 15 digits and only + ( ) - . / and spaces",
            );
        }
        if c.email.trim().is_empty() {
            err("client.email", "required", "this field is required");
        } else if !is_plausible_email(&c.email) {
            err(
                "client.email",
                "invalid_email",
                "not an e-mail address like name@example.ch",
            );
        }
        short_text(&mut err, "client.address.street", &c.address.street);
        short_text(&mut err, "client.address.postcode", &c.address.postcode);
        short_text(&mut err, "client.address.city", &c.address.city);
        let country = &c.address.country;
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            err(
                "client.address.country",
                "invalid_country",
                "a two-letter ISO country code such as CH",
            );
        }

        if let Some(tag) = &c.locale {
            if !is_language_tag(tag) {
                err(
                    "client.locale",
                    "invalid_locale",
                    "a BCP 47 language tag such as fr-CH or de",
                );
            }
        }

        if let Some(notes) = &self.notes {
            if notes.chars().count() > MAX_NOTES_CHARS {
                err("notes", "too_long", "at most 4000 characters");
            }
        }
        errors.extend(self.slot.iter().flat_map(|slot| slot.field_errors("slot")));
        errors
    }
}

fn short_text(err: &mut impl FnMut(&str, &str, &str), field: &str, value: &str) {
    if value.trim().is_empty() {
        err(field, "required", "this field is required");
    } else if value.chars().count() > MAX_SHORT_CHARS {
        err(field, "too_long", "at most 200 characters");
    }
}

/// A language with an optional region: `de`, `fr-CH`, `en_GB` (what browsers and the
/// marketplace send); the language need not be one we have.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let language = parts.next().unwrap_or_default();
    let region = parts.next();
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()))
        && parts.next().is_none()
}

fn is_plausible_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +()-./".contains(c));
    allowed && (6..=15).contains(&digits)
}

fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
        && email.len() <= 254
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The example booking of DESIGN.md.
    pub(crate) const DESIGN_EXAMPLE: &str = r#"{"external_id": "MKT-000123",
   "service": {"code": "plumbing.leak", "name": "Fix a leaking tap", "skill": "plumbing",
               "duration_minutes": 60,
               "recommended_price": {"amount_minor": 12000, "currency": "CHF"}},
   "client": {"name": "Anna Muster", "phone": "+41 79 123 45 67", "email": "anna@example.ch",
              "address": {"street": "Bahnhofstrasse 1", "postcode": "8001",
                          "city": "Zürich", "country": "CH"}},
   "slot": {"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z"},
   "notes": "Kitchen tap drips"}"#;

    fn example() -> BookingRequest {
        serde_json::from_str(DESIGN_EXAMPLE).unwrap()
    }

    fn fields(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect()
    }

    #[test]
    fn the_design_example_parses_and_is_valid() {
        let booking = example();

        assert_eq!(booking.service.duration_minutes, 60);
        assert_eq!(booking.service.extra_unit_price, None);
        assert_eq!(booking.validate(), vec![]);
    }

    #[test]
    fn null_slot_and_missing_notes_are_fine() {
        let mut json: serde_json::Value = serde_json::from_str(DESIGN_EXAMPLE).unwrap();
        json["slot"] = serde_json::Value::Null;
        json.as_object_mut().unwrap().remove("notes");

        let booking: BookingRequest = serde_json::from_value(json).unwrap();

        assert_eq!(booking.slot, None);
        assert_eq!(booking.notes, None);
        assert!(booking.validate().is_empty());
    }

    #[test]
    fn reports_every_invalid_field() {
        // Arrange
        let mut b = example();
        b.external_id = " ".into();
        b.service.duration_minutes = 0;
        b.service.recommended_price.amount_minor = 0;
        b.service.extra_unit_price = Some(Money::new(-1, crate::money::Currency::EUR));
        b.client.name = String::new();
        b.client.phone = "call me".into();
        b.client.email = "anna.example.ch".into();
        b.client.address.country = "che".into();
        b.client.address.city = "x".repeat(201);
        b.notes = Some("n".repeat(4001));
        b.slot = Some(TimeSlot {
            start: "2026-11-24T10:00:00Z".parse().unwrap(),
            end: "2026-11-24T09:00:00Z".parse().unwrap(),
        });

        // Act
        let errors = b.validate();

        // Assert
        assert_eq!(
            fields(&errors),
            vec![
                ("external_id", "required"),
                ("service.duration_minutes", "out_of_range"),
                ("service.recommended_price.amount_minor", "not_positive"),
                ("service.extra_unit_price.currency", "currency_mismatch"),
                ("service.extra_unit_price.amount_minor", "out_of_range"),
                ("client.name", "required"),
                ("client.phone", "invalid_phone"),
                ("client.email", "invalid_email"),
                ("client.address.city", "too_long"),
                ("client.address.country", "invalid_country"),
                ("notes", "too_long"),
                ("slot.end", "end_before_start"),
            ]
        );
        assert!(errors.iter().all(|e| !e.message.is_empty()));
    }

    #[test]
    fn email_and_phone_plausibility() {
        for ok in ["a@b.ch", "anna.muster+x@example.co.uk"] {
            assert!(is_plausible_email(ok), "{ok}");
        }
        for bad in ["a@b", "@b.ch", "a@@b.ch", "a b@c.ch", "a@.ch", "a@b.ch."] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
        for ok in ["+41 79 123 45 67", "(044) 508-01-92", "0793456789"] {
            assert!(is_plausible_phone(ok), "{ok}");
        }
        for bad in ["12345", "+41 79 ABC", "1234567890123456"] {
            assert!(!is_plausible_phone(bad), "{bad}");
        }
    }

    #[test]
    fn extra_unit_price_round_trips_when_present() {
        let mut b = example();
        b.service.extra_unit_price = Some(Money::new(5000, crate::money::Currency::CHF));

        let json = serde_json::to_value(&b).unwrap();

        assert_eq!(json["service"]["extra_unit_price"]["amount_minor"], 5000);
        assert_eq!(serde_json::from_value::<BookingRequest>(json).unwrap(), b);
    }
}
