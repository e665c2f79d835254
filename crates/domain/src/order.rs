//! The order of a call: what the client pays.
//!
//! An order starts with one **package** line at the recommended price (the agreed price,
//! which the company may change). Extra 30-minute **time units**, **materials** and
//! **discounts** are added as lines. The total is always the sum of the line amounts
//! (discount lines have negative amounts) and is kept from going below zero: a change
//! that would make it negative is refused with [`DomainError::NegativeTotal`].

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::booking::ServiceType;
use crate::error::DomainError;
use crate::money::{Currency, Money};

/// The id of the package line in every order. Other lines get ids from the caller.
pub const PACKAGE_LINE_ID: Uuid = Uuid::nil();
/// Length of one extra time unit.
pub const TIME_UNIT_MINUTES: u32 = 30;
/// Largest quantity on one line.
pub const MAX_QUANTITY: u32 = 1000;
/// Longest line description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 200;

/// What an order line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// The booked package at the agreed price; exactly one per order.
    Package,
    /// Extra 30-minute units of work.
    TimeUnit,
    /// Material used.
    Material,
    /// A reduction; its amount is negative.
    Discount,
}

/// One line of an order. `amount = quantity × unit_price`, negated for discounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLine {
    pub id: Uuid,
    pub kind: LineKind,
    pub description: String,
    pub quantity: u32,
    /// Never negative; the sign of a discount is in `amount`.
    pub unit_price: Money,
    pub amount: Money,
}

impl OrderLine {
    /// A line with its amount computed; checks quantity, price and currency.
    pub fn new(
        id: Uuid,
        kind: LineKind,
        description: impl Into<String>,
        quantity: u32,
        unit_price: Money,
    ) -> Result<Self, DomainError> {
        if quantity == 0 || quantity > MAX_QUANTITY {
            return Err(DomainError::InvalidQuantity);
        }
        unit_price.validate_price()?;
        let gross = unit_price.checked_mul(quantity)?;
        let amount = if kind == LineKind::Discount {
            gross.checked_neg()?
        } else {
            gross
        };
        let description = description.into();
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(DomainError::InvalidText);
        }
        Ok(OrderLine {
            id,
            kind,
            description,
            quantity,
            unit_price,
            amount,
        })
    }
}

/// The order of one call, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    pub currency: Currency,
    /// The package line first, then the others in the order they were added.
    pub lines: Vec<OrderLine>,
    /// The sum of the line amounts. Stored for API readers; recomputed by every change,
    /// see [`Order::sum`].
    pub total: Money,
}

impl Order {
    /// A fresh order: the package at its recommended price.
    pub fn for_service(service: &ServiceType) -> Self {
        let price = service.recommended_price;
        let package = OrderLine {
            id: PACKAGE_LINE_ID,
            kind: LineKind::Package,
            description: service.name.clone(),
            quantity: 1,
            unit_price: price,
            amount: price,
        };
        Order {
            currency: price.currency,
            lines: vec![package],
            total: price,
        }
    }

    /// The sum of the line amounts, computed afresh.
    pub fn sum(&self) -> Result<Money, DomainError> {
        Money::sum(self.currency, self.lines.iter().map(|l| l.amount))
    }

    /// The agreed package price.
    pub fn agreed_price(&self) -> Option<Money> {
        self.package_line().map(|l| l.unit_price)
    }

    pub fn package_line(&self) -> Option<&OrderLine> {
        self.lines.iter().find(|l| l.kind == LineKind::Package)
    }

    /// Number of extra time units over all time-unit lines.
    pub fn time_units(&self) -> u32 {
        self.lines
            .iter()
            .filter(|l| l.kind == LineKind::TimeUnit)
            .map(|l| l.quantity)
            .sum()
    }

    /// Adds a line (not a package line). Refuses a duplicate id, a currency other than
    /// the order's, and a result below zero.
    pub fn add_line(&mut self, line: OrderLine) -> Result<(), DomainError> {
        if line.kind == LineKind::Package {
            return Err(DomainError::DuplicateLine);
        }
        if self.lines.iter().any(|l| l.id == line.id) {
            return Err(DomainError::DuplicateLine);
        }
        Money::zero(self.currency).same_currency(line.unit_price)?;
        let mut next = self.clone();
        next.lines.push(line);
        next.commit_into(self)
    }

    /// [`Order::add_line`] on an order of which only the total and the time-unit lines
    /// are known (a board answer's summary, `view::CallView::summary`): the line counts
    /// in the total exactly as `add_line` would count it (same checks, same sum), and is
    /// kept when it is time (time lengthens the call on the calendar).
    pub fn add_line_to_summary(&mut self, line: OrderLine) -> Result<(), DomainError> {
        if line.kind == LineKind::Package || self.lines.iter().any(|l| l.id == line.id) {
            return Err(DomainError::DuplicateLine);
        }
        Money::zero(self.currency).same_currency(line.unit_price)?;
        let total = self.total.checked_add(line.amount)?;
        if total.is_negative() {
            return Err(DomainError::NegativeTotal);
        }
        self.total = total;
        if line.kind == LineKind::TimeUnit {
            self.lines.push(line);
        }
        Ok(())
    }

    /// Removes a line and returns it; the package line cannot be removed.
    pub fn remove_line(&mut self, id: Uuid) -> Result<OrderLine, DomainError> {
        let index = self
            .lines
            .iter()
            .position(|l| l.id == id)
            .ok_or(DomainError::LineNotFound)?;
        if self.lines[index].kind == LineKind::Package {
            return Err(DomainError::LineNotRemovable);
        }
        let mut next = self.clone();
        let removed = next.lines.remove(index);
        next.commit_into(self)?;
        Ok(removed)
    }

    /// Changes the agreed package price; returns the previous one.
    pub fn set_agreed_price(&mut self, price: Money) -> Result<Money, DomainError> {
        price.validate_price()?;
        Money::zero(self.currency).same_currency(price)?;
        let mut next = self.clone();
        let package = next
            .lines
            .iter_mut()
            .find(|l| l.kind == LineKind::Package)
            .ok_or(DomainError::LineNotFound)?;
        let before = package.unit_price;
        package.unit_price = price;
        package.amount = price;
        next.commit_into(self)?;
        Ok(before)
    }

    /// Recomputes the total of `self` and, when it is not negative, stores the result in
    /// `target`; otherwise `target` stays untouched.
    fn commit_into(mut self, target: &mut Order) -> Result<(), DomainError> {
        let total = self.sum()?;
        if total.is_negative() {
            return Err(DomainError::NegativeTotal);
        }
        self.total = total;
        *target = self;
        Ok(())
    }
}

/// The line a line command adds — extra time at the service's extra-unit price unless
/// priced, material, a discount — checked as the order will take it; `None` for any other
/// command. The one rule for the server's change and the app's view of a queued one.
pub fn line_of(
    command: &crate::command::Command,
    service: &ServiceType,
) -> Option<Result<OrderLine, DomainError>> {
    use crate::command::Command;
    let described = |text: &str| crate::flow::required_text(text.to_owned(), MAX_DESCRIPTION_CHARS);
    Some(match command {
        Command::AddTimeUnits {
            line_id,
            quantity,
            unit_price,
        } => {
            let unit = unit_price.unwrap_or_else(|| extra_unit_price(service));
            OrderLine::new(
                *line_id,
                LineKind::TimeUnit,
                "Extra 30 minutes",
                *quantity,
                unit,
            )
        }
        Command::AddMaterial {
            line_id,
            description,
            quantity,
            unit_price,
        } => described(description)
            .and_then(|d| OrderLine::new(*line_id, LineKind::Material, d, *quantity, *unit_price)),
        Command::AddDiscount {
            line_id,
            description,
            amount,
        } => described(description)
            .and_then(|d| OrderLine::new(*line_id, LineKind::Discount, d, 1, *amount)),
        _ => return None,
    })
}

/// The suggested price of one extra 30-minute unit: the marketplace's
/// `extra_unit_price` when it sent one, else the recommended package price × 30 / the
/// package duration, rounded half-up to the minor unit. A 60-minute CHF 120.00 package
/// gives CHF 60.00; a 45-minute CHF 100.00 one CHF 66.67.
pub fn extra_unit_price(service: &ServiceType) -> Money {
    if let Some(price) = service.extra_unit_price {
        return price;
    }
    let price = service.recommended_price;
    // A zero duration is rejected at intake; treating it as one unit avoids a division by
    // zero for stored data that predates validation.
    let duration = i128::from(service.duration_minutes.max(1));
    let numerator = i128::from(price.amount_minor) * i128::from(TIME_UNIT_MINUTES) * 2 + duration;
    let amount = numerator.div_euclid(2 * duration);
    Money::new(
        i64::try_from(amount).unwrap_or(price.amount_minor),
        price.currency,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chf(minor: i64) -> Money {
        Money::new(minor, Currency::CHF)
    }

    fn service(duration: u32, price: i64) -> ServiceType {
        ServiceType {
            code: "plumbing.leak".into(),
            name: "Fix a leaking tap".into(),
            skill: "plumbing".into(),
            duration_minutes: duration,
            recommended_price: chf(price),
            extra_unit_price: None,
        }
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn design_example_total_is_265() {
        // Arrange: 60-min CHF 120.00 package + 2 extra units + CHF 25 material.
        let svc = service(60, 12000);
        let mut order = Order::for_service(&svc);
        let unit = extra_unit_price(&svc);

        // Act
        order
            .add_line(OrderLine::new(id(1), LineKind::TimeUnit, "Extra time", 2, unit).unwrap())
            .unwrap();
        order
            .add_line(OrderLine::new(id(2), LineKind::Material, "Washer", 1, chf(2500)).unwrap())
            .unwrap();

        // Assert
        assert_eq!(unit, chf(6000));
        assert_eq!(order.total, chf(26500));
        assert_eq!(order.sum().unwrap(), order.total);
        assert_eq!(order.time_units(), 2);
    }

    #[test]
    fn pro_rata_unit_price_rounds_half_up() {
        assert_eq!(extra_unit_price(&service(45, 10000)), chf(6667));
        assert_eq!(extra_unit_price(&service(90, 10000)), chf(3333));
        // 30 × 1 / 60 = 0.5 minor unit → rounds up to 1.
        assert_eq!(extra_unit_price(&service(60, 1)), chf(1));
        assert_eq!(extra_unit_price(&service(120, 1)), chf(0));
        assert_eq!(extra_unit_price(&service(0, 100)), chf(3000));
    }

    #[test]
    fn marketplace_unit_price_wins() {
        let mut svc = service(60, 12000);
        svc.extra_unit_price = Some(chf(5000));

        assert_eq!(extra_unit_price(&svc), chf(5000));
    }

    #[test]
    fn discounts_subtract_but_never_below_zero() {
        // Arrange
        let mut order = Order::for_service(&service(60, 12000));

        // Act
        order
            .add_line(OrderLine::new(id(1), LineKind::Discount, "Loyal", 1, chf(2000)).unwrap())
            .unwrap();
        let too_much = order
            .add_line(OrderLine::new(id(2), LineKind::Discount, "Free", 1, chf(10001)).unwrap());
        let reprice = order.set_agreed_price(chf(1000));

        // Assert
        assert_eq!(order.total, chf(10000));
        assert_eq!(order.lines[1].amount, chf(-2000));
        assert_eq!(too_much, Err(DomainError::NegativeTotal));
        assert_eq!(reprice, Err(DomainError::NegativeTotal));
        assert_eq!(
            order.lines.len(),
            2,
            "refused changes leave the order as it was"
        );
    }

    #[test]
    fn removing_a_material_that_a_discount_relies_on_is_refused() {
        let mut order = Order::for_service(&service(60, 1000));
        order
            .add_line(OrderLine::new(id(1), LineKind::Material, "Pump", 1, chf(5000)).unwrap())
            .unwrap();
        order
            .add_line(OrderLine::new(id(2), LineKind::Discount, "Deal", 1, chf(5500)).unwrap())
            .unwrap();

        assert_eq!(order.remove_line(id(1)), Err(DomainError::NegativeTotal));
        assert_eq!(order.remove_line(id(2)).unwrap().id, id(2));
        assert_eq!(order.total, chf(6000));
    }

    #[test]
    fn line_refusals() {
        let mut order = Order::for_service(&service(60, 12000));
        let eur = Money::new(100, Currency::EUR);

        assert_eq!(
            OrderLine::new(id(1), LineKind::Material, "x", 0, chf(1)),
            Err(DomainError::InvalidQuantity)
        );
        assert_eq!(
            OrderLine::new(id(1), LineKind::Material, "x", MAX_QUANTITY + 1, chf(1)),
            Err(DomainError::InvalidQuantity)
        );
        assert_eq!(
            OrderLine::new(id(1), LineKind::Material, "x", 1, chf(-1)),
            Err(DomainError::NegativeAmount)
        );
        assert_eq!(
            OrderLine::new(id(1), LineKind::Material, "x".repeat(201), 1, chf(1)),
            Err(DomainError::InvalidText)
        );
        assert_eq!(
            order.add_line(OrderLine::new(id(1), LineKind::Material, "x", 1, eur).unwrap()),
            Err(DomainError::CurrencyMismatch {
                expected: Currency::CHF,
                found: Currency::EUR
            })
        );
        assert_eq!(
            order.set_agreed_price(eur),
            Err(DomainError::CurrencyMismatch {
                expected: Currency::CHF,
                found: Currency::EUR
            })
        );
        assert_eq!(
            order.remove_line(PACKAGE_LINE_ID),
            Err(DomainError::LineNotRemovable)
        );
        assert_eq!(order.remove_line(id(9)), Err(DomainError::LineNotFound));
        let line = OrderLine::new(id(1), LineKind::Material, "x", 1, chf(1)).unwrap();
        order.add_line(line.clone()).unwrap();
        assert_eq!(order.add_line(line), Err(DomainError::DuplicateLine));
    }

    #[test]
    fn agreed_price_change_returns_the_old_price() {
        let mut order = Order::for_service(&service(60, 12000));

        let before = order.set_agreed_price(chf(9900)).unwrap();

        assert_eq!(before, chf(12000));
        assert_eq!(order.agreed_price(), Some(chf(9900)));
        assert_eq!(order.total, chf(9900));
    }

    #[test]
    fn line_kinds_serialise_snake_case() {
        let line = OrderLine::new(id(1), LineKind::TimeUnit, "Extra", 2, chf(6000)).unwrap();

        let json = serde_json::to_value(&line).unwrap();

        assert_eq!(json["kind"], "time_unit");
        assert_eq!(json["amount"]["amount_minor"], 12000);
    }
}
