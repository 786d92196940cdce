//! What a column type change does to the values: widening, conversion, narrowing.
//!
//! | From → to | Class | Values that may not fit (PostgreSQL effect) |
//! |-----------|-------|---------------------------------------------|
//! | VARCHAR(n) → VARCHAR(m ≥ n), VARCHAR → TEXT, anything but BLOB → TEXT | widening | |
//! | TEXT or VARCHAR(n > m) → VARCHAR(m); a number, date, UUID, ... → VARCHAR(m) shorter than its longest text | narrowing | longer than m (fails) |
//! | SMALLINT → INTEGER → BIGINT | widening | |
//! | BIGINT → INTEGER → SMALLINT | narrowing | outside the range (fails) |
//! | SMALLINT → REAL, SMALLINT/INTEGER → DOUBLE | widening | |
//! | INTEGER/BIGINT → REAL, BIGINT → DOUBLE | narrowing | beyond ±2^24 / ±2^53 (rounded) |
//! | integer → NUMERIC with enough integer digits (or unconstrained) | widening | |
//! | integer → NUMERIC(p,s) with fewer integer digits | narrowing | more than p−s digits (fails) |
//! | integer → BOOLEAN | narrowing | other than 0 and 1 (become true) |
//! | REAL → DOUBLE | widening | |
//! | DOUBLE → REAL | narrowing | values that change as REAL (rounded) |
//! | REAL/DOUBLE → integer | narrowing | outside the range (fails), fractional (rounded) |
//! | REAL/DOUBLE → NUMERIC | narrowing | more integer digits (fails), more decimals (rounded) |
//! | NUMERIC(p,s) → NUMERIC(p',s') with p'−s' ≥ p−s and s' ≥ s, or unconstrained | widening | |
//! | NUMERIC → NUMERIC with fewer integer digits or a smaller scale | narrowing | more integer digits (fails), more decimals (rounded) |
//! | NUMERIC(p,0) → an integer holding every p-digit value | widening | |
//! | other NUMERIC → integer | narrowing | outside the range (fails), fractional (rounded) |
//! | NUMERIC(p ≤ 6) → REAL, NUMERIC(p ≤ 15) → DOUBLE | widening | |
//! | other NUMERIC → REAL/DOUBLE | narrowing | (digits beyond the float's precision are rounded) |
//! | BOOLEAN → integer | widening | |
//! | DATE → TIMESTAMP/TIMESTAMPTZ | widening | |
//! | TIMESTAMP/TIMESTAMPTZ → DATE | narrowing | with a time of day (cut) |
//! | TIMESTAMP/TIMESTAMPTZ → TIME | narrowing | (the date is cut) |
//! | TIMESTAMPTZ → TIMESTAMP | narrowing | (the time zone is dropped) |
//! | anything else (TEXT → INTEGER, TIMESTAMP → TIMESTAMPTZ, → UUID, → JSON, BLOB ↔ ...) | conversion | (values that do not convert make it fail) |
//! | a custom type on either side | unknown | |
//! | `T[]` → `U[]` | the class of `T` → `U` | (elements that do not fit: not counted in advance) |
//! | a scalar → an array | narrowing | every value becomes a one-element array (NULL stays NULL) |
//! | an array → text | narrowing | every array becomes its text, `{a,b}` (other scalars are refused by PostgreSQL's DDL) |
//!
//! On SQLite every type change rebuilds the table, and the values are copied as they are
//! (SQLite does not enforce declared types on ordinary tables): values that do not fit are
//! kept, not lost, but no longer match the declared type — except that a REAL column
//! turns integers into floats (lost beyond 2^53). The integer types are one 64-bit
//! storage on SQLite, and REAL and DOUBLE one 8-byte float, so changes among them are
//! widenings there (Caution: the table is rebuilt).

use crate::data::{Effect, Misfit};
use crate::dialect::Dialect;
use crate::model::ColumnType;
use crate::plan::Risk;

/// The class of a type change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeClass {
    /// Every value converts exactly.
    Widening,
    /// Values that do not convert make the change fail; none is silently changed.
    Conversion,
    /// dbconform cannot tell (a custom type on either side).
    Unknown,
    /// Values can be lost: cut, rounded, out of range.
    Narrowing,
}

/// What a type change does, on one backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeChange {
    /// Widening, conversion, narrowing or unknown.
    pub class: TypeClass,
    /// `true` when the backend rewrites the table (PostgreSQL for most changes, SQLite
    /// always: it rebuilds the table).
    pub rewrite: bool,
    /// For a narrowing: each way a value may not fit, with its effect on this backend.
    /// Each becomes a [`crate::data::Question::Misfits`].
    pub misfits: Vec<(Misfit, Effect)>,
    /// The consequence in plain words, when there is one worth saying.
    pub note: Option<String>,
}

impl TypeChange {
    /// Narrowing: Danger; conversion and unknown: Caution; widening: Caution when the
    /// table is rewritten, Safe otherwise.
    pub fn risk(&self) -> Risk {
        match self.class {
            TypeClass::Narrowing => Risk::Danger,
            TypeClass::Conversion | TypeClass::Unknown => Risk::Caution,
            TypeClass::Widening if self.rewrite => Risk::Caution,
            TypeClass::Widening => Risk::Safe,
        }
    }
}

/// Bits of an integer type, its decimal digits and its range.
fn integer(ty: &ColumnType) -> Option<(u32, u32, i64, i64)> {
    match ty {
        ColumnType::SmallInt => Some((16, 5, i64::from(i16::MIN), i64::from(i16::MAX))),
        ColumnType::Integer => Some((32, 10, i64::from(i32::MIN), i64::from(i32::MAX))),
        ColumnType::BigInt => Some((64, 19, i64::MIN, i64::MAX)),
        _ => None,
    }
}

/// Mantissa bits of a float type.
fn float_bits(ty: &ColumnType) -> Option<u32> {
    match ty {
        ColumnType::Real => Some(24),
        ColumnType::Double => Some(53),
        _ => None,
    }
}

/// The longest text a value of `ty` has, when it is bounded.
fn max_text_length(ty: &ColumnType) -> Option<u32> {
    match ty {
        ColumnType::SmallInt => Some(6),
        ColumnType::Integer => Some(11),
        ColumnType::BigInt => Some(20),
        ColumnType::Boolean => Some(5),
        ColumnType::Uuid => Some(36),
        ColumnType::Varchar(n) => Some(*n),
        _ => None,
    }
}

/// What changing a column from `from` to `to` does on `dialect` (see the module table).
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::{POSTGRES, SQLITE};
/// use dbconform::risk::{TypeClass, type_change};
/// use dbconform::ColumnType;
///
/// let longer = type_change(&ColumnType::Varchar(10), &ColumnType::Varchar(20), &POSTGRES);
/// assert_eq!((longer.class, longer.rewrite), (TypeClass::Widening, false));
/// let bigger = type_change(&ColumnType::Integer, &ColumnType::BigInt, &POSTGRES);
/// assert_eq!((bigger.class, bigger.rewrite), (TypeClass::Widening, true));
/// let shorter = type_change(&ColumnType::Text, &ColumnType::Varchar(5), &SQLITE);
/// assert_eq!(shorter.class, TypeClass::Narrowing);
/// ```
pub fn type_change(from: &ColumnType, to: &ColumnType, dialect: &dyn Dialect) -> TypeChange {
    let renamed = dialect.stores_alike(from, to);
    let (class, misfits) = if renamed {
        (TypeClass::Widening, Vec::new())
    } else {
        classify(from, to)
    };
    // `classify` gives the effect where declared types are enforced; a backend that does
    // not enforce them (SQLite) keeps or converts the values instead.
    let misfits: Vec<(Misfit, Effect)> = misfits
        .into_iter()
        .map(|(misfit, effect)| (misfit, dialect.misfit_effect(to, effect)))
        .collect();
    let rewrite = dialect.type_change_rewrites(from, to);
    let from_text = type_name(from, dialect);
    let to_text = type_name(to, dialect);
    let note = match class {
        TypeClass::Widening if renamed => Some(format!(
            "{} stores {from_text} and {to_text} alike: only the declared type changes, but the table is rebuilt",
            dialect.display_name()
        )),
        TypeClass::Widening if rewrite => Some(
            "widening: every value fits, but the table is rewritten (locked while every row is copied)"
                .to_string(),
        ),
        TypeClass::Widening => None,
        TypeClass::Conversion => Some(format!(
            "converting {from_text} to {to_text}: values that do not convert make the change fail"
        )),
        TypeClass::Unknown => Some(format!(
            "dbconform cannot tell whether every {from_text} value converts to {to_text}: values that do not convert make the change fail"
        )),
        TypeClass::Narrowing => Some(narrowing_note(from, to, &misfits, dialect)),
    };
    TypeChange {
        class,
        rewrite,
        misfits,
        note,
    }
}

/// The class of a change and, for a narrowing, what may not fit with its PostgreSQL effect.
fn classify(from: &ColumnType, to: &ColumnType) -> (TypeClass, Vec<(Misfit, Effect)>) {
    use ColumnType as T;
    let widening = (TypeClass::Widening, Vec::new());
    let conversion = (TypeClass::Conversion, Vec::new());
    let narrowing = |misfits: Vec<(Misfit, Effect)>| (TypeClass::Narrowing, misfits);
    if from == to {
        return widening;
    }
    match (from, to) {
        // The elements' rule; what may not fit is not counted (the data checks read
        // scalar values, not elements), so a narrowing asks nothing.
        (T::Array(f), T::Array(t)) => return (classify(innermost(f), innermost(t)).0, Vec::new()),
        (T::Array(_), _) | (_, T::Array(_)) => return narrowing(Vec::new()),
        _ => {}
    }
    if matches!(from, T::Custom(_)) || matches!(to, T::Custom(_)) {
        return (TypeClass::Unknown, Vec::new());
    }
    let longer = |max: u32| vec![(Misfit::Longer { max }, Effect::Fails)];
    match (from, to) {
        (T::Blob, T::Text | T::Varchar(_)) | (_, T::Blob) => conversion,
        (_, T::Text) => widening,
        (_, T::Varchar(m)) => match max_text_length(from) {
            Some(n) if n <= *m => widening,
            _ => narrowing(longer(*m)),
        },
        (T::Text | T::Json | T::Uuid, _) => conversion,
        _ => {
            if let Some(result) = numeric(from, to) {
                return result;
            }
            temporal(from, to).unwrap_or(conversion)
        }
    }
}

/// The element of the innermost array (`Array(Array(Integer))` → `Integer`).
fn innermost(ty: &ColumnType) -> &ColumnType {
    match ty {
        ColumnType::Array(element) => innermost(element),
        other => other,
    }
}

/// Changes between numbers and booleans, `None` for other pairs.
fn numeric(from: &ColumnType, to: &ColumnType) -> Option<(TypeClass, Vec<(Misfit, Effect)>)> {
    use ColumnType as T;
    let widening = Some((TypeClass::Widening, Vec::new()));
    let narrowing = |misfits: Vec<(Misfit, Effect)>| Some((TypeClass::Narrowing, misfits));
    let outside =
        |(_, _, min, max): (u32, u32, i64, i64), effect| (Misfit::Outside { min, max }, effect);
    match (from, to) {
        // Integer → integer.
        (f, t) if integer(f).is_some() && integer(t).is_some() => {
            let (f, t) = (integer(f)?, integer(t)?);
            if t.0 >= f.0 {
                widening
            } else {
                narrowing(vec![outside(t, Effect::Fails)])
            }
        }
        // Integer → float: exact while the mantissa holds every value.
        (f, t) if integer(f).is_some() && float_bits(t).is_some() => {
            let (bits, mantissa) = (integer(f)?.0, float_bits(t)?);
            if mantissa > bits {
                widening
            } else {
                let limit = 1_i64 << mantissa;
                narrowing(vec![(
                    Misfit::Outside {
                        min: -limit,
                        max: limit,
                    },
                    Effect::Lost,
                )])
            }
        }
        // Integer → numeric: exact while the integer digits suffice.
        (f, T::Decimal { precision, scale }) if integer(f).is_some() => {
            let digits = integer(f)?.1;
            match precision {
                None => widening,
                Some(p) => {
                    let scale = scale.unwrap_or(0);
                    let room = p.saturating_sub(scale);
                    if room >= digits {
                        widening
                    } else {
                        narrowing(vec![(
                            Misfit::Digits {
                                digits: room,
                                scale,
                            },
                            Effect::Fails,
                        )])
                    }
                }
            }
        }
        (f, T::Boolean) if integer(f).is_some() => {
            narrowing(vec![(Misfit::Outside { min: 0, max: 1 }, Effect::Lost)])
        }
        (T::Boolean, t) if integer(t).is_some() => widening,
        // Float → float.
        (T::Real, T::Double) => widening,
        (T::Double, T::Real) => narrowing(vec![(Misfit::RealPrecision, Effect::Lost)]),
        // Float or numeric → integer.
        (T::Real | T::Double, t) if integer(t).is_some() => narrowing(vec![
            outside(integer(t)?, Effect::Fails),
            (Misfit::Fractional, Effect::Lost),
        ]),
        (T::Decimal { precision, scale }, t) if integer(t).is_some() => {
            let (_, digits, _, _) = integer(t)?;
            let exact = matches!(precision, Some(p) if *p < digits) && scale.unwrap_or(0) == 0;
            if exact {
                widening
            } else {
                narrowing(vec![
                    outside(integer(t)?, Effect::Fails),
                    (Misfit::Fractional, Effect::Lost),
                ])
            }
        }
        // Float → numeric.
        (T::Real | T::Double, T::Decimal { precision, scale }) => {
            let mut misfits = Vec::new();
            if let Some(p) = precision {
                let scale = scale.unwrap_or(0);
                misfits.push((
                    Misfit::Digits {
                        digits: p.saturating_sub(scale),
                        scale,
                    },
                    Effect::Fails,
                ));
                misfits.push((Misfit::Scale { scale }, Effect::Lost));
            }
            narrowing(misfits)
        }
        // Numeric → numeric.
        (
            T::Decimal {
                precision: p1,
                scale: s1,
            },
            T::Decimal {
                precision: p2,
                scale: s2,
            },
        ) => {
            let Some(p2) = p2 else {
                return widening;
            };
            let s2 = s2.unwrap_or(0);
            let room2 = p2.saturating_sub(s2);
            let mut misfits = Vec::new();
            match p1 {
                None => {
                    misfits.push((
                        Misfit::Digits {
                            digits: room2,
                            scale: s2,
                        },
                        Effect::Fails,
                    ));
                    misfits.push((Misfit::Scale { scale: s2 }, Effect::Lost));
                }
                Some(p1) => {
                    let s1 = s1.unwrap_or(0);
                    if room2 < p1.saturating_sub(s1) {
                        misfits.push((
                            Misfit::Digits {
                                digits: room2,
                                scale: s2,
                            },
                            Effect::Fails,
                        ));
                    }
                    if s2 < s1 {
                        misfits.push((Misfit::Scale { scale: s2 }, Effect::Lost));
                    }
                }
            }
            if misfits.is_empty() {
                widening
            } else {
                narrowing(misfits)
            }
        }
        // Numeric → float: exact while the float's decimal precision holds every value.
        (T::Decimal { precision, .. }, T::Real | T::Double) => {
            let digits = if matches!(to, T::Real) { 6 } else { 15 };
            if matches!(precision, Some(p) if *p <= digits) {
                widening
            } else {
                narrowing(Vec::new())
            }
        }
        _ => None,
    }
}

/// Changes between dates and times, `None` for other pairs.
fn temporal(from: &ColumnType, to: &ColumnType) -> Option<(TypeClass, Vec<(Misfit, Effect)>)> {
    use ColumnType as T;
    match (from, to) {
        (T::Date, T::Timestamp | T::TimestampTz) => Some((TypeClass::Widening, Vec::new())),
        (T::Timestamp | T::TimestampTz, T::Date) => {
            Some((TypeClass::Narrowing, vec![(Misfit::HasTime, Effect::Lost)]))
        }
        (T::Timestamp | T::TimestampTz, T::Time) | (T::TimestampTz, T::Timestamp) => {
            Some((TypeClass::Narrowing, Vec::new()))
        }
        _ => None,
    }
}

/// The narrowing's consequence: what may not fit and what happens to it.
fn narrowing_note(
    from: &ColumnType,
    to: &ColumnType,
    misfits: &[(Misfit, Effect)],
    dialect: &dyn Dialect,
) -> String {
    use ColumnType as T;
    match (from, to) {
        (T::Array(f), T::Array(t)) => {
            let (f, t) = (innermost(f), innermost(t));
            let (_, element_misfits) = classify(f, t);
            let element_misfits: Vec<(Misfit, Effect)> = element_misfits
                .into_iter()
                .map(|(misfit, effect)| (misfit, dialect.misfit_effect(t, effect)))
                .collect();
            let elements = narrowing_note(f, t, &element_misfits, dialect);
            let elements = elements.strip_prefix("narrowing: ").unwrap_or(&elements);
            return format!("narrowing of the array elements: {elements}");
        }
        (T::Array(_), _) => {
            return "narrowing: every array becomes one text value (`{a,b}`); code reading the column as an array breaks".to_string();
        }
        (_, T::Array(_)) => {
            return "every value becomes a one-element array (NULL stays NULL); code reading the column as a single value breaks".to_string();
        }
        _ => {}
    }
    if misfits.is_empty() {
        let what = match (from, to) {
            (T::TimestampTz, T::Timestamp) => "the time zone of every value is dropped",
            (_, T::Time) => "the date of every value is cut",
            _ => "values are rounded to the new type's precision",
        };
        return format!("narrowing: {what}");
    }
    let things: Vec<String> = misfits
        .iter()
        .map(|(misfit, effect)| {
            let what = misfit_words(misfit);
            let consequence = match effect {
                Effect::Fails => "make the change fail",
                Effect::Lost => "change",
                Effect::Kept => "are kept as they are but no longer fit",
            };
            format!("{what} {consequence}")
        })
        .collect();
    // Values are kept only where declared types are not enforced (see
    // `Dialect::misfit_effect`).
    let tail = if misfits.iter().all(|(_, e)| *e != Effect::Kept) {
        String::new()
    } else {
        format!(
            " ({} does not enforce declared types: they are stored and read back as they are)",
            dialect.display_name()
        )
    };
    format!("narrowing: {}{tail}", things.join(", "))
}

/// What a misfit counts, without a count: `values longer than 5 characters`.
fn misfit_words(misfit: &Misfit) -> String {
    match misfit {
        Misfit::Longer { max } => format!("values longer than {max} characters"),
        Misfit::Outside { min, max } => format!("values outside {min}..{max}"),
        Misfit::Fractional => "fractional parts".to_string(),
        Misfit::Scale { scale } => format!("digits beyond {scale} decimal places"),
        Misfit::Digits { digits, .. } => {
            format!("values with more than {digits} digits before the decimal point")
        }
        Misfit::RealPrecision => "values REAL cannot hold exactly".to_string(),
        Misfit::HasTime => "times of day".to_string(),
    }
}

/// A type as people read it (`varchar(5)`), a custom type as written.
fn type_name(ty: &ColumnType, dialect: &dyn Dialect) -> String {
    match ty {
        ColumnType::Custom(text) => text.clone(),
        other => dialect.column_type_sql(other).to_lowercase(),
    }
}
