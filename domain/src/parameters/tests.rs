//! Given-when-then tests of the [`Parameter`] aggregate (cqrs-es `TestFramework`): values by
//! date, the checks on rates, amounts and dates (rules.md §3.1, §3.2, §3.7, §5.1), corrections
//! that keep the history, and the statutory seeds (§0, §5.3, §5.4).

use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use super::*;
use crate::calendar::Date;
use crate::money::Yen;

type Given = TestFramework<Parameter>;

const GENERAL: ParameterKey = ParameterKey::GeneralPremiumRate;

fn rate(text: &str) -> ParameterValue {
    ParameterValue::Rate(text.parse().expect("decimal"))
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).expect("date")
}

fn set(key: ParameterKey, from: Date, value: ParameterValue) -> ParameterCommand {
    ParameterCommand::SetValue(SetValue {
        key,
        effective_from: from,
        value,
        source: "規約第30条 (令和8年2月 組合会議決)".to_owned(),
        reason: "令和8年度 保険料率".to_owned(),
    })
}

fn value_set(key: ParameterKey, from: Date, value: ParameterValue) -> ParameterEvent {
    ParameterEvent::ValueSet(ValueSet {
        key,
        effective_from: from,
        value,
        source: "規約第30条 (令和8年2月 組合会議決)".to_owned(),
        reason: "令和8年度 保険料率".to_owned(),
    })
}

fn folded(events: Vec<ParameterEvent>) -> Parameter {
    let mut parameter = Parameter::default();
    for e in events {
        parameter.apply(e);
    }
    parameter
}

fn refused(events: Vec<ParameterEvent>, command: ParameterCommand) -> ParameterError {
    folded(events)
        .decide(command)
        .expect_err("the command should be refused")
}

#[test]
fn a_first_value_is_recorded() {
    Given::with(())
        .given_no_previous_events()
        .when(set(GENERAL, date(2026, 4, 1), rate("0.0985")))
        .then_expect_events(vec![value_set(GENERAL, date(2026, 4, 1), rate("0.0985"))]);
}

#[test]
fn a_later_value_takes_over_from_its_date() {
    Given::with(())
        .given(vec![value_set(GENERAL, date(2026, 4, 1), rate("0.0985"))])
        .when(set(GENERAL, date(2027, 4, 1), rate("0.1")))
        .then_expect_events(vec![value_set(GENERAL, date(2027, 4, 1), rate("0.1"))]);
    let parameter = folded(vec![
        value_set(GENERAL, date(2026, 4, 1), rate("0.0985")),
        value_set(GENERAL, date(2027, 4, 1), rate("0.1")),
    ]);
    assert_eq!(parameter.value_on(date(2026, 3, 31)), None);
    let (value, reference) = parameter.value_on(date(2026, 4, 1)).expect("in force");
    assert_eq!(value, rate("0.0985"));
    assert_eq!(
        (
            reference.key.as_str(),
            reference.version,
            reference.value.as_str()
        ),
        ("general_premium_rate", 1, "0.0985")
    );
    assert_eq!(reference.effective_from, date(2026, 4, 1));
    let (value, reference) = parameter.value_on(date(2027, 3, 31)).expect("in force");
    assert_eq!((value, reference.version), (rate("0.0985"), 1));
    let (value, reference) = parameter.value_on(date(2030, 1, 1)).expect("in force");
    assert_eq!((value, reference.version), (rate("0.1"), 2));
}

#[test]
fn an_earlier_value_may_be_entered_after_a_later_one() {
    let parameter = folded(vec![
        value_set(GENERAL, date(2027, 4, 1), rate("0.1")),
        value_set(GENERAL, date(2026, 4, 1), rate("0.0985")),
    ]);
    let (_, reference) = parameter.value_on(date(2026, 12, 1)).expect("in force");
    assert_eq!(reference.version, 2);
}

#[test]
fn the_same_date_twice_is_refused_in_favour_of_a_correction() {
    let error = refused(
        vec![value_set(GENERAL, date(2026, 4, 1), rate("0.0985"))],
        set(GENERAL, date(2026, 4, 1), rate("0.099")),
    );
    assert_eq!(
        error,
        ParameterError::EffectiveFromTaken {
            key: GENERAL,
            effective_from: date(2026, 4, 1),
            version: 1
        }
    );
    assert_eq!(error.code(), "effective_from_taken");
    assert_eq!(error.category(), ErrorCategory::Conflict);
    assert!(error.to_string().contains("corrections"), "{error}");
}

#[test]
fn rates_are_fractions_below_one_with_at_most_six_decimals() {
    let key = ParameterKey::CarePremiumRate;
    for (text, code) in [
        ("1.2", "rate_out_of_range"),
        ("1", "rate_out_of_range"),
        ("-0.1", "rate_out_of_range"),
        ("0.1234567", "rate_too_many_decimals"),
    ] {
        let error = refused(vec![], set(key, date(2026, 4, 1), rate(text)));
        assert_eq!(error.code(), code, "{text}: {error}");
        assert_eq!(error.category(), ErrorCategory::Invalid);
    }
    // trailing zeros are not decimals; zero is a rate
    for text in ["0.0162000", "0", "0.123456"] {
        assert!(
            folded(vec![])
                .decide(set(key, date(2026, 4, 1), rate(text)))
                .is_ok(),
            "{text}"
        );
    }
}

#[test]
fn the_general_rate_lies_between_30_and_130_per_mille() {
    for text in ["0.029", "0.1301"] {
        let error = refused(vec![], set(GENERAL, date(2026, 4, 1), rate(text)));
        assert_eq!(error.code(), "rate_out_of_range", "{text}");
        assert!(error.to_string().contains("160条13項"), "{error}");
    }
    for text in ["0.03", "0.13"] {
        assert!(folded(vec![])
            .decide(set(GENERAL, date(2026, 4, 1), rate(text)))
            .is_ok());
    }
}

#[test]
fn the_employer_share_may_only_be_raised_from_half() {
    let key = ParameterKey::EmployerShare;
    let error = refused(vec![], set(key, date(2026, 4, 1), rate("0.45")));
    assert_eq!(error.code(), "rate_out_of_range");
    assert!(folded(vec![])
        .decide(set(key, date(2026, 4, 1), rate("0.55")))
        .is_ok());
}

#[test]
fn premium_rates_take_effect_on_the_first_of_a_month() {
    let error = refused(vec![], set(GENERAL, date(2026, 4, 15), rate("0.0985")));
    assert_eq!(error.code(), "not_first_of_month");
    // a per-birth amount may take effect on any day
    let key = ParameterKey::ChildbirthLumpSum;
    assert!(folded(vec![])
        .decide(set(
            key,
            date(2026, 4, 15),
            ParameterValue::Yen(Yen::new(500_000))
        ))
        .is_ok());
}

#[test]
fn amounts_are_positive_and_caps_are_grades() {
    let error = refused(
        vec![],
        set(
            ParameterKey::BurialAmount,
            date(2026, 4, 1),
            ParameterValue::Yen(Yen::ZERO),
        ),
    );
    assert_eq!(error.code(), "amount_not_positive");
    let error = refused(
        vec![],
        set(
            ParameterKey::VoluntaryContinuationCap,
            date(2026, 4, 1),
            ParameterValue::Yen(Yen::new(318_100)),
        ),
    );
    assert_eq!(error.code(), "not_a_grade_amount");
    assert!(error.to_string().contains("320,000円"), "{error}");
    assert!(folded(vec![])
        .decide(set(
            ParameterKey::SicknessAllowanceBaseUnder12Months,
            date(2026, 4, 1),
            ParameterValue::Yen(Yen::new(320_000)),
        ))
        .is_ok());
}

#[test]
fn a_value_of_the_wrong_kind_is_refused() {
    let error = refused(
        vec![],
        set(GENERAL, date(2026, 4, 1), ParameterValue::Yen(Yen::new(1))),
    );
    assert_eq!(error.code(), "invalid_parameter_value");
    let error = ParameterValue::parse(GENERAL, &RawValue::Text("9.85%".to_owned()))
        .expect_err("not a decimal");
    assert_eq!(error.code(), "invalid_parameter_value");
    assert_eq!(
        ParameterValue::parse(
            ParameterKey::BurialAmount,
            &RawValue::Text("50,000円".to_owned())
        ),
        Ok(ParameterValue::Yen(Yen::new(50_000)))
    );
    let error = ParameterValue::parse(
        ParameterKey::GradeTable,
        &RawValue::Text("2020-09-01".to_owned()),
    )
    .expect_err("no such table");
    assert_eq!(error.code(), "unknown_grade_table");
}

#[test]
fn a_source_and_a_reason_are_required() {
    let command = ParameterCommand::SetValue(SetValue {
        key: GENERAL,
        effective_from: date(2026, 4, 1),
        value: rate("0.0985"),
        source: "  ".to_owned(),
        reason: "r".to_owned(),
    });
    assert_eq!(refused(vec![], command).code(), "missing_text");
}

#[test]
fn a_stream_holds_one_key() {
    let error = refused(
        vec![value_set(GENERAL, date(2026, 4, 1), rate("0.0985"))],
        set(
            ParameterKey::CarePremiumRate,
            date(2026, 4, 1),
            rate("0.0162"),
        ),
    );
    assert_eq!(error.code(), "parameter_key_mismatch");
}

fn correct(version: i64, from: Option<Date>, value: Option<ParameterValue>) -> ParameterCommand {
    ParameterCommand::CorrectValue(CorrectValue {
        key: GENERAL,
        corrects_version: version,
        effective_from: from,
        value,
        source: None,
        reason: "入力誤り (告示は 9.58%)".to_owned(),
    })
}

#[test]
fn a_correction_replaces_the_entry_and_references_it() {
    Given::with(())
        .given(vec![value_set(GENERAL, date(2026, 4, 1), rate("0.0985"))])
        .when(correct(1, None, Some(rate("0.0958"))))
        .then_expect_events(vec![ParameterEvent::ValueCorrected(ValueCorrected {
            key: GENERAL,
            corrects_version: 1,
            previous_effective_from: date(2026, 4, 1),
            effective_from: date(2026, 4, 1),
            value: rate("0.0958"),
            source: "規約第30条 (令和8年2月 組合会議決)".to_owned(),
            reason: "入力誤り (告示は 9.58%)".to_owned(),
        })]);
    let mut parameter = folded(vec![value_set(GENERAL, date(2026, 4, 1), rate("0.0985"))]);
    for event in parameter
        .decide(correct(1, Some(date(2026, 5, 1)), None))
        .expect("corrected")
    {
        parameter.apply(event);
    }
    assert_eq!(parameter.value_on(date(2026, 4, 30)), None);
    let (value, reference) = parameter.value_on(date(2026, 5, 1)).expect("in force");
    assert_eq!((value, reference.version), (rate("0.0985"), 2));
    let entry = parameter.entry_on(date(2026, 5, 1)).expect("entry");
    assert_eq!(entry.corrects_version, Some(1));
}

#[test]
fn only_the_current_version_of_an_entry_is_corrected() {
    let given = vec![
        value_set(GENERAL, date(2026, 4, 1), rate("0.0985")),
        ParameterEvent::ValueCorrected(ValueCorrected {
            key: GENERAL,
            corrects_version: 1,
            previous_effective_from: date(2026, 4, 1),
            effective_from: date(2026, 4, 1),
            value: rate("0.0958"),
            source: "告示".to_owned(),
            reason: "入力誤り".to_owned(),
        }),
    ];
    let error = refused(given.clone(), correct(1, None, Some(rate("0.09"))));
    assert_eq!(error.code(), "parameter_entry_not_found");
    assert_eq!(error.category(), ErrorCategory::NotFound);
    assert_eq!(
        refused(given.clone(), correct(2, None, None)).code(),
        "no_change"
    );
    assert!(folded(given)
        .decide(correct(2, None, Some(rate("0.09"))))
        .is_ok());
}

#[test]
fn a_correction_may_not_move_onto_another_entry() {
    let given = vec![
        value_set(GENERAL, date(2026, 4, 1), rate("0.0985")),
        value_set(GENERAL, date(2027, 4, 1), rate("0.1")),
    ];
    let error = refused(given, correct(1, Some(date(2027, 4, 1)), None));
    assert_eq!(error.code(), "effective_from_taken");
}

#[test]
fn the_missing_parameter_message_names_the_key_the_date_and_the_way_out() {
    let missing = MissingParameter {
        key: GENERAL,
        on: date(2026, 4, 1),
    };
    assert_eq!(
        missing.to_string(),
        "一般保険料率 (general_premium_rate) is not set for 2026-04-01; set it with POST /api/v1/parameters/general_premium_rate"
    );
}

#[test]
fn keys_have_stable_names_and_streams() {
    for key in ParameterKey::ALL {
        assert_eq!(key.as_str().parse::<ParameterKey>(), Ok(key));
        assert_eq!(
            serde_json::to_value(key).ok(),
            Some(serde_json::Value::String(key.as_str().to_owned()))
        );
    }
    assert!("nope".parse::<ParameterKey>().is_err());
    assert_eq!(
        Parameter::stream_uuid(GENERAL),
        uuid::Uuid::new_v5(&PARAMETER_NAMESPACE, b"general_premium_rate")
    );
    assert_ne!(
        Parameter::stream_uuid(GENERAL),
        Parameter::stream_uuid(ParameterKey::EmployerShare)
    );
}

#[test]
fn values_are_stored_exactly() {
    let event = value_set(GENERAL, date(2026, 4, 1), rate("0.0985"));
    let json = serde_json::to_value(&event).expect("json");
    assert_eq!(
        json["ValueSet"]["value"],
        serde_json::json!({"rate": "0.0985"})
    );
    let back: ParameterEvent = serde_json::from_value(json).expect("back");
    assert_eq!(back, event);
    let raw: Result<RawValue, _> = serde_json::from_str("0.0985");
    assert!(raw.is_err(), "a JSON fraction would pass through a float");
}

#[test]
fn statutory_values_pass_their_own_checks_and_tell_the_childbirth_history() {
    let values = statutory_values();
    let mut parameters: std::collections::BTreeMap<ParameterKey, Parameter> = Default::default();
    for v in &values {
        assert_eq!(v.key.origin(), Origin::Statutory, "{:?}", v.key);
        let parameter = parameters.entry(v.key).or_default();
        let events = parameter
            .decide(ParameterCommand::SetValue(SetValue {
                key: v.key,
                effective_from: v.effective_from,
                value: v.value.clone(),
                source: v.source.to_owned(),
                reason: SEED_REASON.to_owned(),
            }))
            .expect("a statutory value is valid");
        for e in events {
            parameter.apply(e);
        }
    }
    let on = |key: ParameterKey, d: Date| {
        parameters[&key]
            .value_on(d)
            .and_then(|(v, _)| v.as_yen())
            .map(Yen::amount)
    };
    let with = ParameterKey::ChildbirthLumpSum;
    let without = ParameterKey::ChildbirthLumpSumWithoutCompensation;
    assert_eq!(on(with, date(2021, 12, 31)), Some(420_000));
    assert_eq!(on(without, date(2021, 12, 31)), Some(404_000));
    assert_eq!(on(without, date(2022, 1, 1)), Some(408_000));
    assert_eq!(on(with, date(2023, 3, 31)), Some(420_000));
    assert_eq!(on(with, date(2023, 4, 1)), Some(500_000));
    assert_eq!(on(without, date(2023, 4, 1)), Some(488_000));
    assert_eq!(
        on(ParameterKey::BurialAmount, date(2026, 4, 1)),
        Some(50_000)
    );
    let support = parameters[&ParameterKey::ChildSupportRate].value_on(date(2026, 4, 1));
    assert_eq!(support.map(|(v, _)| v.to_text()), Some("0.0023".to_owned()));
    assert!(parameters[&ParameterKey::ChildSupportRate]
        .value_on(date(2026, 3, 31))
        .is_none());
    // society values are never seeded
    assert!(!parameters.contains_key(&GENERAL));
}

#[test]
fn the_high_cost_combined_limits_are_seeded_per_income_category_from_2018_08() {
    use crate::benefits::calc::high_cost_combined::IncomeCategory::{self, *};
    // rules.md §5.7 (S26), in force since 2018-08: <70 ア 2,120,000 イ 1,410,000 ウ 670,000
    // エ 600,000 オ 340,000; 70–74 現役並みⅢ 2,120,000 Ⅱ 1,410,000 Ⅰ 670,000 一般 560,000
    // 低所得Ⅱ 310,000 低所得Ⅰ 190,000 (310,000 with several 介護 users).
    let expected: [(IncomeCategory, i64); 12] = [
        (Under70A, 2_120_000),
        (Under70I, 1_410_000),
        (Under70U, 670_000),
        (Under70E, 600_000),
        (Under70O, 340_000),
        (ActiveIii, 2_120_000),
        (ActiveIi, 1_410_000),
        (ActiveI, 670_000),
        (General, 560_000),
        (LowIncomeIi, 310_000),
        (LowIncomeI, 190_000),
        (LowIncomeISeveralCareUsers, 310_000),
    ];
    let values = statutory_values();
    for (category, amount) in expected {
        let key = ParameterKey::high_cost_combined_limit(category);
        // the key's name is the category's serde name after the common prefix
        let category_name = serde_json::to_value(category).expect("category");
        assert_eq!(
            Some(key.as_str()),
            category_name
                .as_str()
                .map(|c| format!("high_cost_combined_limit_{c}"))
                .as_deref()
        );
        assert_eq!(
            (key.kind(), key.origin(), key.monthly()),
            (ValueKind::Yen, Origin::Statutory, false)
        );
        let seeded: Vec<&StatutoryValue> = values.iter().filter(|v| v.key == key).collect();
        assert_eq!(seeded.len(), 1, "{key}");
        assert_eq!(seeded[0].effective_from, date(2018, 8, 1));
        assert_eq!(
            seeded[0].value,
            ParameterValue::Yen(Yen::new(amount)),
            "{key}"
        );
        assert!(seeded[0].source.contains("rules.md §5.7"));
        // before 2018-08-01 nothing is in force: an older 給付年度 is parameter_not_set
        let mut parameter = Parameter::default();
        for e in parameter
            .decide(ParameterCommand::SetValue(SetValue {
                key,
                effective_from: seeded[0].effective_from,
                value: seeded[0].value.clone(),
                source: seeded[0].source.to_owned(),
                reason: SEED_REASON.to_owned(),
            }))
            .expect("valid")
        {
            parameter.apply(e);
        }
        assert!(parameter.value_on(date(2018, 7, 31)).is_none());
        assert_eq!(
            parameter
                .value_on(date(2026, 7, 31))
                .map(|(v, r)| (v, r.version)),
            Some((ParameterValue::Yen(Yen::new(amount)), 1))
        );
    }
}

#[test]
fn the_high_cost_combined_minimum_is_a_society_value_and_not_seeded() {
    // rules.md §5.7 / §7 item 6: the 500円 minimum is [U]; kenpo does not ship it.
    let key = ParameterKey::HighCostCombinedMinimumExcess;
    assert_eq!(key.origin(), Origin::Society);
    assert_eq!(key.as_str(), "high_cost_combined_minimum_excess");
    assert!(statutory_values().iter().all(|v| v.key != key));
    let error = refused(
        vec![],
        set(key, date(2018, 8, 1), ParameterValue::Yen(Yen::new(0))),
    );
    assert_eq!(error.code(), "amount_not_positive");
    Given::with(())
        .given_no_previous_events()
        .when(set(
            key,
            date(2018, 8, 1),
            ParameterValue::Yen(Yen::new(500)),
        ))
        .then_expect_events(vec![value_set(
            key,
            date(2018, 8, 1),
            ParameterValue::Yen(Yen::new(500)),
        )]);
}
