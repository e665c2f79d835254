//! Partner companies and which requests suit them.
//!
//! The marketplace offers a request to every **suitable** company: one whose service area
//! covers the client's postcode and which offers the service's skill. A company that gave
//! the call up is left out by [`crate::command::Command::Offer`] itself.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::booking::BookingRequest;
use crate::locale::Locale;
use crate::money::Currency;

/// An inclusive range of numeric postcodes in one country, e.g. CH 8000–8099.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostcodeRange {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub from: u32,
    pub to: u32,
}

impl PostcodeRange {
    /// Whether `postcode` in `country` lies in the range. Non-numeric postcodes (UK) only
    /// match a range whose bounds are both 0, meaning "the whole country".
    pub fn contains(&self, country: &str, postcode: &str) -> bool {
        if !self.country.eq_ignore_ascii_case(country.trim()) {
            return false;
        }
        if self.from == 0 && self.to == 0 {
            return true;
        }
        postcode
            .trim()
            .parse::<u32>()
            .is_ok_and(|p| (self.from..=self.to).contains(&p))
    }
}

/// A partner company as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Company {
    pub id: Uuid,
    pub name: String,
    /// IANA zone every time on its board is shown in (see [`crate::tz`]).
    pub time_zone: String,
    pub currency: Currency,
    /// Its own address, for invoices and after-check-out mails.
    pub email: String,
    pub service_area: Vec<PostcodeRange>,
    pub skills: Vec<String>,
}

impl Company {
    /// Whether the booking is in the company's area, needs one of its skills and is priced
    /// in its currency.
    pub fn suits(&self, booking: &BookingRequest) -> bool {
        let address = &booking.client.address;
        let skill = booking.service.skill.trim();
        self.currency == booking.service.recommended_price.currency
            && self
                .skills
                .iter()
                .any(|s| s.trim().eq_ignore_ascii_case(skill))
            && self
                .service_area
                .iter()
                .any(|r| r.contains(&address.country, &address.postcode))
    }
}

/// A company's default locale: the one of its `country` (ISO 3166-1 alpha-2) when
/// known, else the one of the country its `time_zone` belongs to, else British English.
/// Its dispatchers and technicians use it until they choose their own, and its clients'
/// e-mails when the marketplace sent no language.
pub fn default_locale(country: Option<&str>, time_zone: &str) -> Locale {
    let country = country
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .or_else(|| crate::tz::country_of_zone(time_zone))
        .unwrap_or("GB");
    crate::locale::default_for_country(country)
}

/// The ids of the companies a booking is offered to.
pub fn suitable_companies<'a, I>(companies: I, booking: &BookingRequest) -> Vec<Uuid>
where
    I: IntoIterator<Item = &'a Company>,
{
    companies
        .into_iter()
        .filter(|c| c.suits(booking))
        .map(|c| c.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{booking, ALPEN, RHEIN, THIRD};

    fn company(id: Uuid, from: u32, to: u32, skills: &[&str]) -> Company {
        Company {
            id,
            name: "Alpen Service AG".into(),
            time_zone: "Europe/Zurich".into(),
            currency: Currency::CHF,
            email: "office@alpen.example".into(),
            service_area: vec![PostcodeRange {
                country: "CH".into(),
                from,
                to,
            }],
            skills: skills.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn offered_to_companies_covering_the_postcode_with_the_skill() {
        // Arrange: the booking is plumbing at 8001 Zürich, in CHF.
        let companies = [
            company(ALPEN, 8000, 8099, &["plumbing", "electrics"]),
            company(RHEIN, 8000, 8099, &["Plumbing"]),
            company(THIRD, 3000, 3999, &["plumbing"]),
            company(Uuid::from_u128(4), 8000, 8099, &["electrics"]),
        ];

        // Act
        let ids = suitable_companies(&companies, &booking());

        // Assert
        assert_eq!(ids, vec![ALPEN, RHEIN]);
    }

    #[test]
    fn the_default_locale_comes_from_the_country_or_the_zone() {
        assert_eq!(default_locale(Some("AT"), "Europe/Zurich"), Locale::DeAt);
        assert_eq!(default_locale(None, "Europe/Zurich"), Locale::DeCh);
        assert_eq!(default_locale(None, "Europe/Berlin"), Locale::DeDe);
        assert_eq!(default_locale(Some(" "), "Europe/Paris"), Locale::FrFr);
        assert_eq!(default_locale(None, "Europe/London"), Locale::EnGb);
        assert_eq!(default_locale(None, "America/New_York"), Locale::EnGb);
    }

    #[test]
    fn other_country_or_currency_does_not_suit() {
        let mut eur = company(ALPEN, 8000, 8099, &["plumbing"]);
        eur.currency = Currency::EUR;
        let de = PostcodeRange {
            country: "DE".into(),
            from: 8000,
            to: 8099,
        };
        let whole_uk = PostcodeRange {
            country: "GB".into(),
            from: 0,
            to: 0,
        };

        assert!(!eur.suits(&booking()));
        assert!(!de.contains("CH", "8001"));
        assert!(whole_uk.contains("GB", "SW1A 1AA"));
        assert!(!de.contains("DE", "abc"));
    }
}
