//! Which partner companies a marketplace booking is offered to, decided from the
//! companies' stored profiles (service area and skills as text).
//!
//! DESIGN.md: a request "is offered to every suitable company (service area and skills
//! match)". The booking's price currency is not a criterion here: the call keeps the
//! booking's currency whoever wins it, which is what lets the two demo companies (CHF
//! and EUR) race for the same bookings. [`crate::company::Company::suits`] is the
//! stricter rule for markets that split partners by currency.
//!
//! A service area is a comma-separated list of entries, each a postcode range
//! `8000-8099` or a single postcode `8001`, optionally prefixed with a country,
//! `CH:8000-8099`; `GB:*` covers a whole country. An entry without a country matches the
//! numeric postcode in any country.

use uuid::Uuid;

use crate::booking::BookingRequest;

/// A partner company's profile as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerProfile {
    pub id: Uuid,
    /// E.g. `8000-8099` or `CH:8000-8099, CH:3000-3099`.
    pub service_area: String,
    /// Comma-separated, e.g. `plumbing,electrics`.
    pub skills: String,
}

/// Whether `area` (see the module docs) covers `postcode` in `country`.
pub fn area_covers(area: &str, country: &str, postcode: &str) -> bool {
    let postcode = postcode.trim();
    let number = postcode.parse::<u32>().ok();
    area.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            let (entry_country, range) = match entry.split_once(':') {
                Some((c, r)) => (Some(c.trim()), r.trim()),
                None => (None, entry),
            };
            if entry_country.is_some_and(|c| !c.eq_ignore_ascii_case(country.trim())) {
                return false;
            }
            if range == "*" {
                return entry_country.is_some();
            }
            let (from, to) = range.split_once('-').unwrap_or((range, range));
            match (from.trim().parse::<u32>(), to.trim().parse::<u32>(), number) {
                (Ok(from), Ok(to), Some(n)) => (from..=to).contains(&n),
                _ => false,
            }
        })
}

/// Whether the comma-separated `skills` include `skill` (case-insensitive).
pub fn has_skill(skills: &str, skill: &str) -> bool {
    let skill = skill.trim();
    !skill.is_empty()
        && skills
            .split(',')
            .any(|s| s.trim().eq_ignore_ascii_case(skill))
}

impl PartnerProfile {
    /// Whether the booking is in the partner's area and needs one of its skills.
    pub fn suits(&self, booking: &BookingRequest) -> bool {
        let address = &booking.client.address;
        has_skill(&self.skills, &booking.service.skill)
            && area_covers(&self.service_area, &address.country, &address.postcode)
    }
}

/// The ids of the partners the booking is offered to, in the given order.
pub fn offer_targets<'a, I>(partners: I, booking: &BookingRequest) -> Vec<Uuid>
where
    I: IntoIterator<Item = &'a PartnerProfile>,
{
    partners
        .into_iter()
        .filter(|p| p.suits(booking))
        .map(|p| p.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_entries_ranges_single_postcodes_and_countries() {
        let cases = [
            ("8000-8099", "CH", "8001", true),
            ("8000-8099", "DE", "8099", true),
            ("8000-8099", "CH", "8100", false),
            ("8000-8099", "CH", "80a1", false),
            ("CH:8000-8099", "DE", "8001", false),
            ("CH:8000-8099, CH:3000-3099", "ch", "3011", true),
            ("8001", "CH", "8001", true),
            ("GB:*", "GB", "SW1A 1AA", true),
            ("*", "GB", "SW1A 1AA", false),
            ("", "CH", "8001", false),
            ("nonsense", "CH", "8001", false),
        ];
        for (area, country, postcode, expected) in cases {
            assert_eq!(
                area_covers(area, country, postcode),
                expected,
                "{area} {country} {postcode}"
            );
        }
    }

    #[test]
    fn offered_to_partners_with_area_and_skill_whatever_their_currency() {
        // Arrange: a CHF plumbing booking at 8001.
        let booking: BookingRequest =
            serde_json::from_str(crate::booking::tests::DESIGN_EXAMPLE).unwrap();
        let p = |n: u128, area: &str, skills: &str| PartnerProfile {
            id: Uuid::from_u128(n),
            service_area: area.into(),
            skills: skills.into(),
        };
        let partners = [
            p(1, "8000-8099", "plumbing,electrics"),
            p(2, "8000-8099", " Plumbing "),
            p(3, "3000-3999", "plumbing"),
            p(4, "8000-8099", "electrics"),
        ];

        // Act
        let ids = offer_targets(&partners, &booking);

        // Assert
        assert_eq!(ids, vec![Uuid::from_u128(1), Uuid::from_u128(2)]);
        assert!(!has_skill("plumbing", " "));
    }
}
