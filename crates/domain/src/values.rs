//! Value types that cannot hold invalid values: RAG, money, codes, 1–5 scores and the closed
//! vocabularies (states, tiers, stages) of the PMO.

use std::{collections::BTreeMap, fmt};

use serde::{Deserialize, Serialize};

/// Declares a closed vocabulary: serialised in `snake_case`, with a label for people and the list
/// of every value (for forms, filters and validation messages).
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => ($key:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The wire name (`snake_case`).
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
            /// The name shown to people.
            pub const fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            /// The accepted wire names, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($key => Ok($name::$variant),)+
                    other => Err(format!("`{other}` is not one of: {}", Self::expected())),
                }
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// Red / amber / green: the PMO's traffic light.
    Rag {
        /// On track.
        Green => ("green", "Green"),
        /// At risk, recoverable by the team.
        Amber => ("amber", "Amber"),
        /// Off track: needs a decision or help from above.
        Red => ("red", "Red"),
    }
}

impl Rag {
    /// Severity for ordering: green 0, amber 1, red 2.
    pub const fn severity(self) -> u8 {
        match self {
            Rag::Green => 0,
            Rag::Amber => 1,
            Rag::Red => 2,
        }
    }
}

vocabulary! {
    /// How much governance a piece of work gets.
    GovernanceTier {
        /// Light touch: small, low-risk work.
        Light => ("light", "Light"),
        /// The default.
        Standard => ("standard", "Standard"),
        /// Large, risky or regulated work.
        Strict => ("strict", "Strict"),
    }
}

vocabulary! {
    /// Whether work is running.
    WorkState {
        /// Not yet approved.
        Proposed => ("proposed", "Proposed"),
        /// Approved and running.
        Active => ("active", "Active"),
        /// Paused.
        OnHold => ("on_hold", "On hold"),
        /// Finished.
        Closed => ("closed", "Closed"),
        /// Stopped before finishing.
        Cancelled => ("cancelled", "Cancelled"),
    }
}

vocabulary! {
    /// Where in its life cycle a piece of work is (the stage gates it has passed).
    LifecycleStage {
        /// An idea being shaped.
        Concept => ("concept", "Concept"),
        /// Business case and approval.
        Initiation => ("initiation", "Initiation"),
        /// Planning and mobilisation.
        Planning => ("planning", "Planning"),
        /// Building and delivering.
        Delivery => ("delivery", "Delivery"),
        /// Handover and benefits tracking.
        Closure => ("closure", "Closure"),
    }
}

vocabulary! {
    /// A risk's response strategy.
    RiskResponse {
        /// Change the plan so the risk cannot happen.
        Avoid => ("avoid", "Avoid"),
        /// Reduce probability or impact.
        Reduce => ("reduce", "Reduce"),
        /// Move it to a third party (insurance, contract).
        Transfer => ("transfer", "Transfer"),
        /// Take it as it is, with a contingency.
        Accept => ("accept", "Accept"),
    }
}

vocabulary! {
    /// A risk's state.
    RiskState {
        /// Live and being managed.
        Open => ("open", "Open"),
        /// It happened: it is now an issue.
        Occurred => ("occurred", "Occurred"),
        /// No longer a risk.
        Closed => ("closed", "Closed"),
    }
}

vocabulary! {
    /// Priority of an issue.
    Priority {
        /// Low.
        Low => ("low", "Low"),
        /// Medium.
        Medium => ("medium", "Medium"),
        /// High.
        High => ("high", "High"),
        /// Critical: escalate now.
        Critical => ("critical", "Critical"),
    }
}

vocabulary! {
    /// An issue's state.
    IssueState {
        /// Raised, not yet being worked.
        Open => ("open", "Open"),
        /// Being worked.
        InProgress => ("in_progress", "In progress"),
        /// Resolved.
        Resolved => ("resolved", "Resolved"),
    }
}

vocabulary! {
    /// An assumption's state.
    AssumptionState {
        /// Not yet checked.
        Open => ("open", "Open"),
        /// Checked and true.
        Validated => ("validated", "Validated"),
        /// Checked and false: raise a risk or issue.
        Invalidated => ("invalidated", "Invalidated"),
    }
}

vocabulary! {
    /// A dependency's state.
    DependencyState {
        /// Expected as planned.
        Open => ("open", "Open"),
        /// Delivery of the dependency is in doubt.
        AtRisk => ("at_risk", "At risk"),
        /// Delivered.
        Delivered => ("delivered", "Delivered"),
        /// No longer needed.
        Cancelled => ("cancelled", "Cancelled"),
    }
}

vocabulary! {
    /// A decision's state.
    DecisionState {
        /// Waiting for the decision maker.
        Pending => ("pending", "Pending"),
        /// Decided.
        Decided => ("decided", "Decided"),
        /// Replaced by a later decision.
        Superseded => ("superseded", "Superseded"),
    }
}

/// A short, unique code such as `PRJ-042` or `FIN`: 2–20 characters, upper-case letters, digits,
/// `-` and `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "PRJ-042"))]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

impl Code {
    /// Parses a code, upper-casing it.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_uppercase();
        let ok_len = (2..=20).contains(&s.len());
        let ok_first = s.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        let ok_chars = s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if ok_len && ok_first && ok_chars {
            Ok(Self(s))
        } else {
            Err(format!(
                "`{s}` is not a valid code: expected 2-20 characters, letters, digits, '-' or '_', starting with a letter"
            ))
        }
    }
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for Code {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<Code> for String {
    fn from(c: Code) -> String {
        c.0
    }
}
impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 1–5 rating (risk probability or impact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = i64, minimum = 1, maximum = 5))]
#[serde(try_from = "i64", into = "i64")]
pub struct Rating(u8);

impl Rating {
    /// Parses a rating from 1 to 5.
    pub fn new(v: i64) -> Result<Self, String> {
        if (1..=5).contains(&v) { Ok(Self(v as u8)) } else { Err(format!("{v} is out of range: expected 1 to 5")) }
    }
    /// The rating, 1 to 5.
    pub const fn get(self) -> u8 {
        self.0
    }
}
impl TryFrom<i64> for Rating {
    type Error = String;
    fn try_from(v: i64) -> Result<Self, String> {
        Self::new(v)
    }
}
impl From<Rating> for i64 {
    fn from(r: Rating) -> i64 {
        r.0 as i64
    }
}

/// An ISO 4217 currency code such as `GBP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "GBP"))]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Parses three ASCII letters, upper-casing them.
    pub fn parse(s: &str) -> Result<Self, String> {
        let b = s.trim().to_ascii_uppercase();
        let bytes = b.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(format!("`{s}` is not a currency: expected a three-letter ISO 4217 code such as GBP"))
        }
    }
    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}
impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}
impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money in minor units (pence, cents) with its currency. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// Amount as a decimal string with two places (also accepts a JSON number).
    #[serde(with = "decimal_amount")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1250000.00"))]
    pub amount: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// Parses a decimal amount such as `1250000`, `1,250,000.50` or `-12.5` into minor units.
    pub fn parse_amount(s: &str) -> Result<i64, String> {
        let t: String = s.trim().chars().filter(|c| *c != ',' && *c != '_').collect();
        let err = || format!("`{s}` is not an amount: expected a number with at most two decimals, e.g. 1250000.00");
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.as_str()),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty()
            || frac.len() > 2
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err());
        }
        let whole: i64 = whole.parse().map_err(|_| err())?;
        let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| err())? };
        let minor = whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or_else(err)?;
        Ok(if neg { -minor } else { minor })
    }

    /// The amount as a decimal string with two places, e.g. `1250000.50`.
    pub fn amount_string(&self) -> String {
        decimal_amount::format(self.amount)
    }

    /// Money as reports, their exports and pages print it: the currency code, a space and the
    /// amount in whole units with thousands separators, `GBP 1,250,000` (see [`money_text`]).
    pub fn text(&self) -> String {
        money_text(self.amount as f64 / 100.0, self.currency.as_str()).unwrap_or_default()
    }
}

/// The one way money reads in reports (HTML, PDF, Markdown, Excel) and their sentences: the
/// currency code, a space, and the amount in whole major units with thousands separators and a
/// hyphen-minus, `GBP 1,250,000`, `EUR -3,400`. Every amount has the same scale (whole units, no
/// pence and no `k`/`m` suffixes), so figures in one column or sentence compare at a glance.
/// An empty currency prints the figure alone. `None` when `amount` is not finite (callers say
/// "unknown" or print a dash); amounts beyond ±9e18 are clamped.
///
/// ```
/// assert_eq!(keel_domain::money_text(2_995_000.0, "GBP").as_deref(), Some("GBP 2,995,000"));
/// assert_eq!(keel_domain::money_text(-12.6, "EUR").as_deref(), Some("EUR -13"));
/// assert_eq!(keel_domain::money_text(f64::NAN, "GBP"), None);
/// ```
pub fn money_text(amount: f64, currency: &str) -> Option<String> {
    if !amount.is_finite() {
        return None;
    }
    let rounded = amount.round();
    let sign = if rounded < 0.0 { "-" } else { "" };
    let whole = rounded.abs().min(9.0e18) as u64;
    let digits = whole.to_string();
    let mut figure = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    figure.push_str(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            figure.push(',');
        }
        figure.push(c);
    }
    let code = currency.trim();
    Some(if code.is_empty() { figure } else { format!("{code} {figure}") })
}

mod decimal_amount {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn format(minor: i64) -> String {
        let sign = if minor < 0 { "-" } else { "" };
        let m = minor.unsigned_abs();
        format!("{sign}{}.{:02}", m / 100, m % 100)
    }

    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*v))
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(i64),
        Float(f64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let raw = Raw::deserialize(d)?;
        let text = match raw {
            Raw::Int(i) => return i.checked_mul(100).ok_or_else(|| serde::de::Error::custom("amount is too large")),
            Raw::Float(f) => format!("{f}"),
            Raw::Text(t) => t,
        };
        super::Money::parse_amount(&text).map_err(serde::de::Error::custom)
    }
}

/// A user-defined field value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CustomValue {
    /// Yes or no.
    Bool(bool),
    /// A number.
    Number(f64),
    /// Text (dates are kept as ISO text).
    Text(String),
}

impl fmt::Display for CustomValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustomValue::Bool(b) => f.write_str(if *b { "yes" } else { "no" }),
            CustomValue::Number(n) => write!(f, "{n}"),
            CustomValue::Text(t) => f.write_str(t),
        }
    }
}

/// User-defined fields on portfolios, programmes and projects, by name.
pub type CustomFields = BTreeMap<String, CustomValue>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_amounts_round_trip_through_text() {
        for (text, minor) in [("0", 0), ("12.5", 1250), ("-3.07", -307), ("1,250,000.00", 125_000_000)] {
            assert_eq!(Money::parse_amount(text), Ok(minor), "{text}");
        }
        assert_eq!(decimal_amount::format(-307), "-3.07");
        for bad in ["", "1.234", "abc", "1.-2", "--1"] {
            assert!(Money::parse_amount(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn codes_are_normalised_and_checked() {
        assert_eq!(Code::parse(" prj-1 ").map(|c| c.0), Ok("PRJ-1".to_owned()));
        assert!(Code::parse("1AB").is_err());
        assert!(Code::parse("A").is_err());
        assert!(Code::parse("AB CD").is_err());
    }

    #[test]
    fn vocabularies_parse_their_own_names() {
        for s in WorkState::ALL {
            assert_eq!(s.as_str().parse::<WorkState>(), Ok(*s));
        }
        assert!("nope".parse::<Rag>().unwrap_err().contains("green, amber, red"));
    }

    #[test]
    fn money_text_has_one_scale() {
        let gbp = Currency::parse("GBP").expect("valid");
        assert_eq!(Money { amount: 299_500_000, currency: gbp }.text(), "GBP 2,995,000");
        assert_eq!(money_text(999.4, "USD").as_deref(), Some("USD 999"));
        assert_eq!(money_text(-0.4, "USD").as_deref(), Some("USD 0"));
        assert_eq!(money_text(1_000.0, " ").as_deref(), Some("1,000"));
        assert_eq!(money_text(f64::INFINITY, "GBP"), None);
        assert_eq!(money_text(1e30, "GBP").as_deref(), Some("GBP 9,000,000,000,000,000,000"));
    }
}
