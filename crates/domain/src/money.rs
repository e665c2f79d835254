//! Money: integer minor units with an ISO 4217 currency, never floating point.
//!
//! Amounts in different currencies never mix: adding CHF to EUR is a
//! [`DomainError::CurrencyMismatch`], not a conversion. All arithmetic is checked, so an
//! absurd amount is an error ([`DomainError::AmountOutOfRange`]) instead of an overflow.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// The currencies of the markets we serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Currency {
    /// Swiss franc.
    CHF,
    /// Euro.
    EUR,
    /// Pound sterling.
    GBP,
}

impl Currency {
    /// Every supported currency, e.g. for a picker.
    pub const ALL: [Currency; 3] = [Currency::CHF, Currency::EUR, Currency::GBP];

    /// The ISO 4217 code, as it appears on the wire.
    pub fn code(self) -> &'static str {
        match self {
            Currency::CHF => "CHF",
            Currency::EUR => "EUR",
            Currency::GBP => "GBP",
        }
    }

    /// Digits after the decimal point (100 minor units per major unit for all three).
    pub fn minor_digits(self) -> u32 {
        2
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "CHF" => Ok(Currency::CHF),
            "EUR" => Ok(Currency::EUR),
            "GBP" => Ok(Currency::GBP),
            other => Err(DomainError::UnknownCurrency(other.to_owned())),
        }
    }
}

/// An amount of money: `{"amount_minor": 12000, "currency": "CHF"}` is CHF 120.00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// The amount in minor units (cents, Rappen, pence). Negative only for discounts.
    pub amount_minor: i64,
    pub currency: Currency,
}

impl Money {
    /// Largest amount accepted from users for one price: 100 million major units. Keeps
    /// every sum of a realistic order far from `i64` overflow.
    pub const MAX_INPUT_MINOR: i64 = 10_000_000_000;

    pub const fn new(amount_minor: i64, currency: Currency) -> Self {
        Money {
            amount_minor,
            currency,
        }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Money::new(0, currency)
    }

    pub fn is_negative(&self) -> bool {
        self.amount_minor < 0
    }

    /// `self + other`; refuses mixed currencies and overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, DomainError> {
        self.same_currency(other)?;
        self.amount_minor
            .checked_add(other.amount_minor)
            .map(|a| Money::new(a, self.currency))
            .ok_or(DomainError::AmountOutOfRange)
    }

    /// `self - other`; refuses mixed currencies and overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, DomainError> {
        self.same_currency(other)?;
        self.amount_minor
            .checked_sub(other.amount_minor)
            .map(|a| Money::new(a, self.currency))
            .ok_or(DomainError::AmountOutOfRange)
    }

    /// `self × quantity`; refuses overflow.
    pub fn checked_mul(self, quantity: u32) -> Result<Money, DomainError> {
        self.amount_minor
            .checked_mul(i64::from(quantity))
            .map(|a| Money::new(a, self.currency))
            .ok_or(DomainError::AmountOutOfRange)
    }

    /// The same amount with the opposite sign (a discount line's amount).
    pub fn checked_neg(self) -> Result<Money, DomainError> {
        self.amount_minor
            .checked_neg()
            .map(|a| Money::new(a, self.currency))
            .ok_or(DomainError::AmountOutOfRange)
    }

    /// Sums `items`, which must all be in `currency` (the sum of nothing is zero).
    pub fn sum<I: IntoIterator<Item = Money>>(
        currency: Currency,
        items: I,
    ) -> Result<Money, DomainError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// Checks that `other` is in the same currency as `self`.
    pub fn same_currency(self, other: Money) -> Result<(), DomainError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(DomainError::CurrencyMismatch {
                expected: self.currency,
                found: other.currency,
            })
        }
    }

    /// Checks a price typed by a user: not negative and not absurdly large.
    pub fn validate_price(self) -> Result<(), DomainError> {
        if self.amount_minor < 0 {
            Err(DomainError::NegativeAmount)
        } else if self.amount_minor > Money::MAX_INPUT_MINOR {
            Err(DomainError::AmountOutOfRange)
        } else {
            Ok(())
        }
    }
}

/// `CHF 120.00`, `EUR -5.50`: a plain, locale-free rendering for logs and e-mails in tests;
/// the app formats money in the user's language itself.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let abs = self.amount_minor.unsigned_abs();
        write!(f, "{} {sign}{}.{:02}", self.currency, abs / 100, abs % 100)
    }
}

/// An amount typed by a person (`25`, `25.5`, `25,50`, `1'250.00`) in minor units;
/// `None` when it is not one (more than two decimals, letters, negative).
pub fn parse_amount(text: &str) -> Option<i64> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\'' | '’' | '\u{a0}' | '\u{202f}'))
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    let (major, minor) = match cleaned.rsplit_once(['.', ',']) {
        Some((major, minor)) => (major, minor),
        None => (cleaned.as_str(), ""),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !digits(major) || !digits(minor) || minor.len() > 2 || (major.is_empty() && minor.is_empty())
    {
        return None;
    }
    let major: i64 = if major.is_empty() {
        0
    } else {
        major.parse().ok()?
    };
    let minor: i64 = format!("{minor:0<2}").parse().ok()?;
    major.checked_mul(100)?.checked_add(minor)
}

/// Minor units as a plain decimal for an input field (`15000` → `150.00`).
pub fn plain_amount(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (minor / 100).abs(), (minor % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_typed_by_people_become_minor_units() {
        assert_eq!(parse_amount("25"), Some(2500));
        assert_eq!(parse_amount("25.5"), Some(2550));
        assert_eq!(parse_amount("25,50"), Some(2550));
        assert_eq!(parse_amount(" 1'250.00 "), Some(125_000));
        assert_eq!(parse_amount("1\u{202f}250,00"), Some(125_000));
        assert_eq!(parse_amount(".5"), Some(50));
        assert_eq!(parse_amount("1.234"), None);
        assert_eq!(parse_amount("-5"), None);
        assert_eq!(parse_amount("abc"), None);
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("."), None);
        assert_eq!(parse_amount("99999999999999999999"), None);
    }

    #[test]
    fn minor_units_show_as_a_plain_decimal_and_read_back() {
        assert_eq!(plain_amount(15000), "150.00");
        assert_eq!(plain_amount(5), "0.05");
        assert_eq!(plain_amount(-5), "-0.05");
        assert_eq!(plain_amount(-12_345), "-123.45");
        for minor in [0, 1, 99, 100, 12_345, 9_999_999] {
            assert_eq!(parse_amount(&plain_amount(minor)), Some(minor));
        }
    }

    fn chf(minor: i64) -> Money {
        Money::new(minor, Currency::CHF)
    }

    #[test]
    fn serialises_exactly_as_the_api_contract() {
        // Arrange
        let price = chf(12000);

        // Act
        let json = serde_json::to_value(price).unwrap();

        // Assert
        assert_eq!(
            json,
            serde_json::json!({"amount_minor": 12000, "currency": "CHF"})
        );
        assert_eq!(serde_json::from_value::<Money>(json).unwrap(), price);
    }

    #[test]
    fn unknown_currency_is_rejected_on_deserialisation() {
        let res = serde_json::from_str::<Money>(r#"{"amount_minor": 1, "currency": "USD"}"#);
        assert!(res.is_err());
        assert!(matches!(
            "USD".parse::<Currency>(),
            Err(DomainError::UnknownCurrency(_))
        ));
        assert_eq!("GBP".parse::<Currency>().unwrap(), Currency::GBP);
    }

    #[test]
    fn adds_and_subtracts_in_one_currency() {
        assert_eq!(chf(12000).checked_add(chf(2500)).unwrap(), chf(14500));
        assert_eq!(chf(12000).checked_sub(chf(12500)).unwrap(), chf(-500));
        assert_eq!(chf(6000).checked_mul(2).unwrap(), chf(12000));
        assert_eq!(chf(500).checked_neg().unwrap(), chf(-500));
    }

    #[test]
    fn mixing_currencies_is_an_error_not_a_conversion() {
        let eur = Money::new(100, Currency::EUR);

        let add = chf(100).checked_add(eur);
        let sub = chf(100).checked_sub(eur);

        let expected = DomainError::CurrencyMismatch {
            expected: Currency::CHF,
            found: Currency::EUR,
        };
        assert_eq!(add, Err(expected.clone()));
        assert_eq!(sub, Err(expected));
        assert_eq!(
            Money::sum(Currency::CHF, [chf(1), eur]).unwrap_err().code(),
            "currency-mismatch"
        );
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(
            chf(i64::MAX).checked_add(chf(1)),
            Err(DomainError::AmountOutOfRange)
        );
        assert_eq!(
            chf(i64::MAX).checked_mul(2),
            Err(DomainError::AmountOutOfRange)
        );
        assert_eq!(
            chf(i64::MIN).checked_neg(),
            Err(DomainError::AmountOutOfRange)
        );
    }

    #[test]
    fn validates_user_prices() {
        assert_eq!(chf(0).validate_price(), Ok(()));
        assert_eq!(chf(-1).validate_price(), Err(DomainError::NegativeAmount));
        assert_eq!(
            chf(Money::MAX_INPUT_MINOR + 1).validate_price(),
            Err(DomainError::AmountOutOfRange)
        );
    }

    #[test]
    fn displays_major_and_minor_units() {
        assert_eq!(chf(26500).to_string(), "CHF 265.00");
        assert_eq!(Money::new(-550, Currency::EUR).to_string(), "EUR -5.50");
        assert_eq!(Money::new(7, Currency::GBP).to_string(), "GBP 0.07");
    }
}
