//! The contract integrators generate clients from: valid OpenAPI 3.1
//! (every response described, operationIds and component names unique),
//! routes that answer as the document says, and bodies served as their
//! schemas describe them (checked by a small JSON Schema reader over the
//! subset the document uses).

use std::collections::BTreeMap;

use actix_web::http::Method;
use serde_json::{Value, json};

fn spec() -> Value {
    serde_json::from_str(&langnghe_api::server::spec_json()).unwrap()
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Every operation of the document: method, path, operation.
fn operations(spec: &Value) -> Vec<(&str, &str, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                ops.push((method, path.as_str(), op));
            }
        }
    }
    ops
}

#[test]
fn every_response_has_a_description() {
    let spec = spec();
    let mut missing = Vec::new();
    for (method, path, op) in operations(&spec) {
        for (status, response) in op["responses"].as_object().unwrap() {
            let described = response.get("$ref").is_some()
                || response["description"].as_str().is_some_and(|d| !d.trim().is_empty());
            if !described {
                missing.push(format!("{method} {path} {status}"));
            }
        }
    }
    for (name, response) in spec["components"]["responses"].as_object().unwrap() {
        if response["description"].as_str().is_none_or(|d| d.trim().is_empty()) {
            missing.push(format!("components/responses/{name}"));
        }
    }
    assert!(missing.is_empty(), "responses without a description: {missing:#?}");
}

#[test]
fn operation_ids_are_unique() {
    let spec = spec();
    let mut seen: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (method, path, op) in operations(&spec) {
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        seen.entry(id).or_default().push(format!("{method} {path}"));
    }
    let twice: Vec<_> = seen.iter().filter(|(_, ops)| ops.len() > 1).collect();
    assert!(twice.is_empty(), "operationIds used twice: {twice:?}");
}

/// The document keeps one schema per component name, silently dropping
/// any other type published under it: each module's own schemas must be
/// the ones the document kept.
#[test]
fn no_two_types_share_a_component_name() {
    let whole = serde_json::to_value(langnghe_api::server::spec()).unwrap();
    let kept = &whole["components"]["schemas"];
    let mut clashes = Vec::new();
    for (module, api) in langnghe_api::server::schemas_by_module() {
        let api = serde_json::to_value(api).unwrap();
        for (name, schema) in api["components"]["schemas"].as_object().into_iter().flatten() {
            if kept[name] != *schema {
                clashes.push(format!("{name} (as routes::{module} publishes it)"));
            }
        }
    }
    assert!(
        clashes.is_empty(),
        "component names under which another type was published: {clashes:?}"
    );
}

/// Two paths that differ in one segment only, a parameter in one and a
/// literal in the other (`{id}` and `{receipt_code}`) are one path to
/// OpenAPI, and must not be two templates.
#[test]
fn no_two_templates_of_one_path() {
    let spec = spec();
    let mut by_shape: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for path in spec["paths"].as_object().unwrap().keys() {
        let shape: Vec<&str> = path
            .split('/')
            .map(|s| if s.starts_with('{') { "{}" } else { s })
            .collect();
        by_shape.entry(shape.join("/")).or_default().push(path);
    }
    let twice: Vec<_> = by_shape.values().filter(|p| p.len() > 1).collect();
    assert!(twice.is_empty(), "one path templated twice: {twice:?}");
}

/// A path a literal route takes (`/issues/bulk`) is never handed to a route
/// with a parameter in its place (`/issues/{id}`): the other methods answer
/// 405 with the literal route's `Allow`, and its own method reaches it.
#[actix_web::test]
async fn literal_paths_are_never_taken_by_a_parameter() {
    let spec = spec();
    let table = langnghe_api::route_table::RouteTable::from_spec(&langnghe_api::server::spec());
    let pairs = table.shadowed();
    assert!(
        pairs.iter().any(|(l, _)| l == "/api/v1/issues/bulk")
            && pairs.iter().any(|(l, _)| l == "/api/v1/topics/summary"),
        "{pairs:?}"
    );
    let app = crate::support::TestApp::spawn().await;
    let methods_of = |path: &str| -> Vec<String> {
        METHODS
            .iter()
            .filter(|m| spec["paths"][path].get(**m).is_some())
            .map(|m| m.to_uppercase())
            .collect()
    };
    for (literal, templated) in &pairs {
        let own = methods_of(literal);
        for method in methods_of(templated) {
            if own.contains(&method) {
                continue;
            }
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let r = app.send_json(m, literal, app.admin(), &json!({})).await;
            r.assert_problem(405, "method_not_allowed");
            assert_eq!(
                r.header("allow"),
                Some(own.join(", ").as_str()),
                "{method} {literal} (beside {templated})"
            );
        }
    }
    let r = app.get("/api/v1/topics/summary", app.admin()).await;
    r.ok(200);
    let r = app.post("/api/v1/issues/bulk", app.admin(), &json!({})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // A path with a parameter still answers as before.
    let r = app.get("/api/v1/issues/not-a-uuid", app.admin()).await;
    r.assert_problem(400, "invalid_path");
    let r = app.delete("/api/v1/issues/bulk", None).await;
    r.assert_problem(405, "method_not_allowed");
}

/// The schema of a JSON response.
pub fn response_schema<'a>(spec: &'a Value, method: &str, path: &str, status: u16) -> &'a Value {
    let op = &spec["paths"][path][method];
    assert!(op.is_object(), "no operation {method} {path}");
    let schema = &op["responses"][status.to_string()]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} has no JSON {status}");
    schema
}

/// Checks `body`, served by `method path` with `status`, against the
/// document: panics listing every disagreement.
pub fn assert_conforms(spec: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let mut errors = Vec::new();
    check(
        spec,
        response_schema(spec, method, path, status),
        body,
        "$",
        &mut errors,
    );
    assert!(
        errors.is_empty(),
        "{method} {path} {status} contradicts its schema:\n{}",
        errors.join("\n")
    );
}

/// A JSON Schema reader for the keywords the document uses.
pub fn check(spec: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.strip_prefix("#/components/schemas/").expect("a schema reference");
        return check(spec, &spec["components"]["schemas"][name], value, at, errors);
    }
    let matching = |list: &Value| -> usize {
        list.as_array()
            .into_iter()
            .flatten()
            .filter(|s| {
                let mut e = Vec::new();
                check(spec, s, value, at, &mut e);
                e.is_empty()
            })
            .count()
    };
    if let Some(list) = schema.get("oneOf") {
        let n = matching(list);
        if n != 1 {
            errors.push(format!("{at}: {value} matches {n} branches of oneOf"));
        }
    }
    if let Some(list) = schema.get("anyOf")
        && matching(list) == 0
    {
        errors.push(format!("{at}: {value} matches no branch of anyOf"));
    }
    for s in schema["allOf"].as_array().into_iter().flatten() {
        check(spec, s, value, at, errors);
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let is = |t: &str| match t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
            _ => false,
        };
        if !types.iter().any(|t| is(t)) {
            errors.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let (Some(n), Some(min)) = (value.as_f64(), schema["minimum"].as_f64())
        && n < min
    {
        errors.push(format!("{at}: {n} < minimum {min}"));
    }
    if let (Some(n), Some(max)) = (value.as_f64(), schema["maximum"].as_f64())
        && n > max
    {
        errors.push(format!("{at}: {n} > maximum {max}"));
    }
    if let (Some(s), Some(format)) = (value.as_str(), schema["format"].as_str()) {
        let ok = match format {
            "uuid" => uuid::Uuid::parse_str(s).is_ok(),
            "date" => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
            "date-time" => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            _ => true,
        };
        if !ok {
            errors.push(format!("{at}: {s:?} is not a {format}"));
        }
    }
    if let Some(object) = value.as_object() {
        for name in schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !object.contains_key(name) {
                errors.push(format!("{at}: lacks required {name}"));
            }
        }
        let properties = schema["properties"].as_object();
        for (name, v) in object {
            match properties.and_then(|p| p.get(name)) {
                Some(s) => check(spec, s, v, &format!("{at}.{name}"), errors),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(format!("{at}: unexpected {name}")),
                    Some(s @ Value::Object(_)) => check(spec, s, v, &format!("{at}.{name}"), errors),
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(s)) = (value.as_array(), schema.get("items")) {
        for (i, v) in items.iter().enumerate() {
            check(spec, s, v, &format!("{at}[{i}]"), errors);
        }
    }
}

/// The schema reader sees what the document forbids.
#[test]
fn the_schema_reader_sees_a_contradiction() {
    let spec = json!({"components": {"schemas": {"V": {"oneOf": [{"type": "integer"}, {"type": "number"}]}}}});
    let mut errors = Vec::new();
    check(
        &spec,
        &json!({"$ref": "#/components/schemas/V"}),
        &json!(3),
        "$",
        &mut errors,
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    let object = json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "enum": ["x"]}}});
    let mut errors = Vec::new();
    check(&spec, &object, &json!([{"a": "x"}]), "$", &mut errors);
    check(&spec, &object, &json!({"a": "y"}), "$", &mut errors);
    check(&spec, &object, &json!({}), "$", &mut errors);
    assert_eq!(errors.len(), 3, "{errors:?}");
}

/// Evidence frozen into a recommendation is served as the list its schema
/// describes, to staff, to the agency and in the public feed; report
/// values are numbers or texts.
#[actix_web::test]
async fn evidence_and_report_values_are_served_as_described() {
    let spec = spec();
    let w = crate::recommendations::world().await;
    let app = &w.app;
    let board = crate::recommendations::agency(app, &w.school, "school_board").await;
    let sent = crate::recommendations::sent(&w, &[&board]).await;
    assert_conforms(&spec, "post", "/api/v1/recommendations/{id}/send", 200, &sent);
    assert!(sent["frozen_evidence"].as_array().is_some_and(|e| !e.is_empty()));
    let id = sent["id"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/recommendations/{id}"), Some(&w.moderator))
        .await;
    assert_conforms(&spec, "get", "/api/v1/recommendations/{id}", 200, r.ok(200));
    let (_, _, token) = crate::recommendations::client_token(app, &board).await;
    let delivery = sent["deliveries"][0]["id"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/agency/deliveries/{delivery}"), Some(&token))
        .await;
    assert_conforms(&spec, "get", "/api/v1/agency/deliveries/{id}", 200, r.ok(200));
    assert!(
        r.body["recommendation"]["evidence"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
    let r = app.get("/api/v1/agency/deliveries", Some(&token)).await;
    assert_conforms(&spec, "get", "/api/v1/agency/deliveries", 200, r.ok(200));
    let r = app.get("/api/v1/public/feed", None).await;
    assert_conforms(&spec, "get", "/api/v1/public/feed", 200, r.ok(200));
    let year = crate::support::day().format("%Y").to_string();
    let r = app.get(&format!("/api/v1/reports?period={year}"), app.admin()).await;
    assert_conforms(&spec, "get", "/api/v1/reports", 200, r.ok(200));
}

/// The two routes that exchange credentials sent in the request (a
/// password, a client secret) for a token: they answer 401 to wrong
/// credentials but take no token.
const CREDENTIAL_EXCHANGES: [&str; 2] = ["/api/v1/auth/login", "/api/v1/auth/token"];

/// Every operation that answers 401 declares the schemes it accepts, and
/// every other is public; called without a token, each answers so.
#[actix_web::test]
async fn security_is_declared_where_a_token_is_needed() {
    let spec = spec();
    let schemes = spec["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(
        schemes["oauth2"]["flows"]["clientCredentials"]["tokenUrl"],
        "/api/v1/auth/token"
    );
    // With the scraper's token set, `/metrics` asks for it like any route.
    let app = crate::support::TestApp::spawn_with(crate::support::Options {
        metrics_token: Some(crate::metrics::METRICS_TOKEN.to_owned()),
        ..Default::default()
    })
    .await;
    let mut wrong = Vec::new();
    for (method, path, op) in operations(&spec) {
        let requirements = op["security"].as_array().cloned().unwrap_or_default();
        for requirement in &requirements {
            for name in requirement.as_object().unwrap().keys() {
                assert!(schemes.contains_key(name), "{method} {path}: unknown scheme {name}");
            }
        }
        let secured = !requirements.is_empty();
        if CREDENTIAL_EXCHANGES.contains(&path) {
            assert!(!secured, "{method} {path}");
            continue;
        }
        if op["responses"].get("401").is_some() != secured {
            wrong.push(format!("{method} {path}: 401 documented but security {requirements:?}"));
        }
        let url = path
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d21"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = app.send_json(m, &url, None, &json!({})).await;
        if (r.status == 401) != secured {
            wrong.push(format!(
                "{method} {path}: {} without a token, declared {requirements:?}",
                r.status
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// What every GET without a path parameter serves an admin, and a
/// moderator, over data of every kind, matches its schema; so does each
/// item read by its id where a list gave one.
#[actix_web::test]
async fn what_staff_read_is_served_as_described() {
    let spec = spec();
    let w = crate::recommendations::world().await;
    let app = &w.app;
    let board = crate::recommendations::agency(app, &w.school, "school_board").await;
    crate::recommendations::sent(&w, &[&board]).await;
    let mut checked = 0;
    for (method, path, op) in operations(&spec) {
        if method != "get" || path.contains('{') || op["responses"]["200"]["content"].get("application/json").is_none()
        {
            continue;
        }
        let required_query = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["required"] == true);
        if required_query {
            continue;
        }
        for token in [app.admin(), Some(w.moderator.as_str())] {
            let r = app.get(path, token).await;
            if r.status == 200 {
                assert_conforms(&spec, "get", path, 200, &r.body);
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} reads checked");
}

/// Every `limit` has the bounds its list enforces: one past either end is
/// refused with 400 `invalid_query`, and the ends themselves are taken.
#[actix_web::test]
async fn limits_are_bounded_as_the_lists_enforce() {
    let spec = spec();
    let app = crate::support::TestApp::spawn().await;
    let mut checked = 0;
    for (method, path, op) in operations(&spec) {
        let Some(limit) = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == "limit" && p["in"] == "query")
        else {
            continue;
        };
        let (min, max) = (limit["schema"]["minimum"].as_i64(), limit["schema"]["maximum"].as_i64());
        assert_eq!(min, Some(1), "{method} {path}: limit's minimum");
        let max = max.unwrap_or_else(|| panic!("{method} {path}: limit has no maximum"));
        let required = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["required"] == true);
        if path.contains('{') || required {
            continue;
        }
        let token = app.admin();
        if app.get(&format!("{path}?limit=1"), token).await.status == 403 {
            continue; // not an admin's list
        }
        for n in [0, max + 1] {
            let r = app.get(&format!("{path}?limit={n}"), token).await;
            r.assert_problem(400, "invalid_query");
        }
        for n in [1, max] {
            let r = app.get(&format!("{path}?limit={n}"), token).await;
            assert_eq!(r.status, 200, "{path}?limit={n}: {:?}", r.body);
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} lists checked");
}

/// Refusals any caller can meet are documented: a control character in any
/// path or query value is refused with 400 (`invalid_character`), so every
/// operation with a parameter lists 400; and an agency's machine token on a
/// route for staff alone is refused with 403, so every operation that
/// accepts the staff token but not the agency's lists 403 — which the
/// service is asked here, with a real machine token, for every such GET.
#[actix_web::test]
async fn refusals_every_caller_can_meet_are_documented() {
    let spec = spec();
    let mut wrong = Vec::new();
    let mut staff_gets = Vec::new();
    for (method, path, op) in operations(&spec) {
        let has_parameters = op["parameters"].as_array().is_some_and(|p| !p.is_empty());
        if has_parameters && op["responses"].get("400").is_none() {
            wrong.push(format!("{method} {path}: parameters, and no 400"));
        }
        let schemes: Vec<&str> = op["security"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_object())
            .flat_map(|r| r.keys().map(String::as_str))
            .collect();
        if schemes.contains(&"bearer") && !schemes.contains(&"oauth2") {
            if op["responses"].get("403").is_none() {
                wrong.push(format!("{method} {path}: staff only, and no 403"));
            }
            if method == "get" && !path.contains('{') {
                staff_gets.push(path);
            }
        }
    }
    assert!(staff_gets.len() > 10, "{staff_gets:?}");

    let app = crate::support::TestApp::spawn_demo().await;
    let [district] = app.units(["PN"]).await;
    let agency = crate::recommendations::agency(&app, &district, "education_office").await;
    let (_, _, machine) = crate::recommendations::client_token(&app, &agency).await;
    for path in staff_gets {
        let r = app.get(path, Some(&machine)).await;
        if r.status != 403 {
            wrong.push(format!("GET {path}: {} to an agency's machine token", r.status));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A route's own words for a status are what the document says, not the
/// shared response the route's sets would put there: the refusals a child
/// may meet on joining, and the other routes that name their codes.
#[test]
fn routes_name_their_own_refusals() {
    let spec = spec();
    let mut wrong = Vec::new();
    for (method, path, status, code) in [
        ("post", "/api/v1/join", "422", "age_not_eligible"),
        ("post", "/api/v1/join", "422", "assent_required"),
        ("post", "/api/v1/join/assent", "422", "age_not_eligible"),
        (
            "post",
            "/api/v1/sessions/{id}/paper-responses",
            "422",
            "assent_required",
        ),
        (
            "post",
            "/api/v1/sessions/{id}/paper-responses",
            "400",
            "idempotency_key_required",
        ),
        ("post", "/api/v1/responses", "400", "idempotency_key_required"),
        ("post", "/api/v1/me/password", "422", "current_password_wrong"),
    ] {
        let response = &spec["paths"][path][method]["responses"][status];
        if !response["description"].as_str().is_some_and(|d| d.contains(code)) {
            wrong.push(format!("{method} {path} {status} does not name `{code}`: {response}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The values of a parameter's or field's schema when it is a closed set
/// (inline, behind a `$ref`, or one branch of a nullable `oneOf`).
fn enum_values(spec: &Value, schema: &Value) -> Option<Vec<String>> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        let target = &spec["components"]["schemas"][name];
        assert!(target.is_object(), "{r} points at no schema");
        return enum_values(spec, target);
    }
    if let Some(values) = schema["enum"].as_array() {
        return Some(values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect());
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for branch in schema[key].as_array().into_iter().flatten() {
            if let Some(values) = enum_values(spec, branch) {
                return Some(values);
            }
        }
    }
    None
}

/// Every query filter over a closed set declares its values as an enum,
/// and the service takes exactly those: each value listed is answered
/// (not 400) and a word outside the list is refused with 400
/// `invalid_query`, on every list a caller can read without a path.
#[actix_web::test]
async fn query_filters_take_exactly_the_names_they_declare() {
    const CLOSED: [&str; 10] = [
        "status",
        "kind",
        "role",
        "source",
        "sort",
        "format",
        "severity",
        "outcome",
        "lang",
        "unit_level",
    ];
    let spec = spec();
    let app = crate::support::TestApp::spawn_demo().await;
    let [district] = app.units(["PN"]).await;
    let agency = crate::recommendations::agency(&app, &district, "education_office").await;
    let (_, officer) = app.user("can.bo.bao.ve", "safeguarding_officer", None, None).await;
    let (_, agency_staff) = app.user("phong.gd.staff", "agency_staff", None, Some(&agency)).await;
    let mut wrong = Vec::new();
    let mut asked = 0;
    for (method, path, op) in operations(&spec) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap();
            if p["in"] != "query" || !CLOSED.contains(&name) {
                continue;
            }
            let Some(values) = enum_values(&spec, &p["schema"]) else {
                wrong.push(format!("{method} {path}: {name} is not an enum"));
                continue;
            };
            let required = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["required"] == true);
            if method != "get" || path.contains('{') || required {
                continue;
            }
            let token = if path.starts_with("/api/v1/safeguarding") {
                officer.as_str()
            } else if path.starts_with("/api/v1/agency/") {
                agency_staff.as_str()
            } else {
                app.admin().unwrap()
            };
            for value in &values {
                let r = app.get(&format!("{path}?{name}={value}"), Some(token)).await;
                asked += 1;
                if r.status >= 400 {
                    wrong.push(format!("GET {path}?{name}={value}: {} {:?}", r.status, r.body));
                }
            }
            let r = app.get(&format!("{path}?{name}=not_one_of_them"), Some(token)).await;
            if r.status != 400 || r.body["code"] != "invalid_query" {
                wrong.push(format!("GET {path}?{name}=not_one_of_them: {} {:?}", r.status, r.body));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(asked > 40, "only {asked} values asked");
}

/// Names of fields and query parameters that hold a word of a closed set.
const CLOSED_NAMES: [&str; 7] = ["status", "stance", "type", "language", "kind", "role", "action"];

/// Strings whose name or description looks like a closed set and that are
/// not one, each with the reason.
const OPEN_STRINGS: [(&str, &str); 18] = [
    ("Problem.type", "a URI, `urn:langnghe:problem:<code>`"),
    (
        "AuditEventDto.action",
        "the audit log as recorded by any version of the service",
    ),
    (
        "Page_AuditEventDto.items[].action",
        "the audit log as recorded by any version of the service",
    ),
    (
        "IssueHistoryDto.action",
        "an issue's audit history, as recorded by any version of the service",
    ),
    (
        "GET /api/v1/audit?entity",
        "a filter over the audit log's history: a name no version wrote matches nothing",
    ),
    ("GuardianConsentDto.method", "free text, with examples"),
    ("TimelineStepDto.actor", "a username, `client:<client_id>` or `system`"),
    (
        "IssueHistoryDto.changed[]",
        "names of the fields a change touched, not values",
    ),
    ("OpenUnitDto.ref", "the backticks name fields"),
    ("QuestionResultsDto.column_labels[]", "labels in words"),
    (
        "RowDto.breakdown",
        "the backticks are examples of keys made of months and names",
    ),
    ("QuestionResultsDto.columns[]", "a survey's own option keys"),
    ("ShowIfIn.in[]", "a survey's own option keys"),
    ("TargetDto.period", "a grammar of periods over any year"),
    ("TargetIn.period", "a grammar of periods over any year"),
    ("GET /api/v1/progress?period", "a grammar of periods over any year"),
    (
        "GET /api/v1/safeguarding/summary?period",
        "a grammar of periods over any year",
    ),
    ("GET /api/v1/reports?period", "a grammar of periods over any year"),
];

/// Whether `text` lists values: two backticked words one after the other,
/// separated by a comma, `or`, `and` or a slash (`` `a`, `b` or `c` ``).
fn lists_values(text: &str) -> bool {
    let spans: Vec<&str> = text.split('`').collect();
    // Between backticks: spans[1], spans[3], …; what joins two of them is
    // the span in between.
    spans
        .iter()
        .enumerate()
        .skip(2)
        .step_by(2)
        .filter(|(i, _)| i + 1 < spans.len())
        .any(|(_, between)| [", ", " or ", " and ", ", or ", ", and ", "/"].contains(between))
}

fn has_type(schema: &Value, wanted: &str) -> bool {
    match &schema["type"] {
        Value::String(t) => t == wanted,
        Value::Array(ts) => ts.iter().any(|t| t == wanted),
        _ => false,
    }
}

/// A string (or a nullable one) that neither names a set nor has a pattern.
fn free_string(spec: &Value, schema: &Value) -> bool {
    if enum_values(spec, schema).is_some() || schema.get("pattern").is_some() {
        return false;
    }
    has_type(schema, "string")
        || ["oneOf", "anyOf"].iter().any(|k| {
            schema[*k]
                .as_array()
                .into_iter()
                .flatten()
                .any(|b| b.get("$ref").is_none() && free_string(spec, b))
        })
}

/// The description of a field, on itself or on a branch of its `oneOf`.
fn description(schema: &Value) -> &str {
    schema["description"].as_str().unwrap_or_else(|| {
        ["oneOf", "anyOf"]
            .iter()
            .flat_map(|k| schema[*k].as_array().into_iter().flatten())
            .find_map(|b| b["description"].as_str())
            .unwrap_or("")
    })
}

/// Every field of `schema` (at `label`), nested ones and array items
/// included: label, name, schema and the description that goes with it.
fn fields<'a>(label: &str, schema: &'a Value, out: &mut Vec<(String, String, &'a Value, String)>) {
    if schema.get("$ref").is_some() {
        return;
    }
    for k in ["oneOf", "anyOf", "allOf"] {
        for b in schema[k].as_array().into_iter().flatten() {
            fields(label, b, out);
        }
    }
    for (name, field) in schema["properties"].as_object().into_iter().flatten() {
        let label = format!("{label}.{name}");
        let described = description(field).to_owned();
        if has_type(field, "array") {
            let items = &field["items"];
            let described = if described.is_empty() {
                description(items).to_owned()
            } else {
                described
            };
            out.push((format!("{label}[]"), name.clone(), items, described));
        } else {
            out.push((label.clone(), name.clone(), field, described));
        }
        fields(&label, field, out);
    }
    if has_type(schema, "array") {
        fields(&format!("{label}[]"), &schema["items"], out);
    }
}

/// Every closed set is an enum: a string field or query parameter named
/// as a set's word (`status`, `stance`, `type`, `language`, `kind`,
/// `role`, `action`), or whose description lists values, names its set —
/// unless it is one of the few open strings, each with its reason.
#[test]
fn every_closed_set_is_an_enum() {
    let spec = spec();
    let mut strings: Vec<(String, String, &Value, String)> = Vec::new();
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        fields(name, schema, &mut strings);
    }
    for (method, path, op) in operations(&spec) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["in"] == "query" {
                strings.push((
                    format!("{} {path}?{}", method.to_uppercase(), p["name"].as_str().unwrap()),
                    p["name"].as_str().unwrap().to_owned(),
                    &p["schema"],
                    p["description"].as_str().unwrap_or("").to_owned(),
                ));
            }
        }
    }
    let open: BTreeMap<&str, &str> = OPEN_STRINGS.into_iter().collect();
    let mut wrong = Vec::new();
    let mut seen_open = Vec::new();
    for (label, name, schema, described) in &strings {
        if !free_string(&spec, schema) {
            continue;
        }
        if !CLOSED_NAMES.contains(&name.as_str()) && !lists_values(described) {
            continue;
        }
        if open.contains_key(label.as_str()) {
            seen_open.push(label.as_str());
        } else {
            wrong.push(format!("{label}: a free string ({described:?})"));
        }
    }
    assert!(wrong.is_empty(), "not enums:\n{}", wrong.join("\n"));
    // The list of open strings names nothing that is gone or became a set.
    let stale: Vec<&&str> = open.keys().filter(|k| !seen_open.contains(k)).collect();
    assert!(stale.is_empty(), "open strings no longer free: {stale:?}");
    // The fields the audit of issue 16 found free, each a set now.
    for (schema, field) in [
        ("ReceiptAnswerDto", "stance"),
        ("ReceiptPromiseDto", "status"),
        ("PublicQuestionDto", "type"),
        ("QuestionResultsDto", "type"),
        ("OwnResponseDto", "language"),
        ("PartDto", "name"),
        ("PartDto", "counts"),
        ("Problem", "error"),
        ("TimelineStepDto", "action"),
        ("TokenRequest", "grant_type"),
        ("TokenResponse", "token_type"),
        ("Health", "status"),
    ] {
        let s = &spec["components"]["schemas"][schema]["properties"][field];
        assert!(enum_values(&spec, s).is_some(), "{schema}.{field}: {s}");
    }
    let redactions = &spec["components"]["schemas"]["IssueDto"]["properties"]["redactions"]["items"];
    assert_eq!(
        enum_values(&spec, redactions).map(|v| v.len()),
        Some(langnghe_domain::screen::Redaction::ALL.len()),
        "{redactions}"
    );
}

#[test]
fn lists_of_values_are_told_from_other_backticks() {
    assert!(lists_values("`open`, `in_progress` or `done`."));
    assert!(lists_values("`vi` or `en`"));
    assert!(lists_values("e.g. `paper_form`, `school_register`"));
    assert!(!lists_values("Pass as `cursor`; `null` at the end."));
    assert!(!lists_values("`ok`."));
    assert!(!lists_values("In the order of `columns`."));
}

/// The years the service stores a date in (1900–2199), as every date of a
/// query declares them.
const DATE_PATTERN: &str = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$";

/// Integer query parameters the service takes whatever their value, and
/// why.
const UNBOUNDED_INTEGERS: [(&str, &str); 1] = [("version", "a survey's version: one it does not have answers 404")];

/// Every date in a query declares the years the service takes, and every
/// integer the bounds it enforces; the service refuses one past them with
/// 400 `invalid_query`, each date on every GET whose path the demo data
/// fills, and the bounded integers at both ends.
#[actix_web::test]
async fn query_dates_and_numbers_declare_the_bounds_the_service_enforces() {
    let spec = spec();
    let app = crate::support::TestApp::spawn_demo().await;
    let [unit] = app.units(["PN"]).await;
    let surveys = app.get("/api/v1/surveys", app.admin()).await;
    let survey = surveys.ok(200)["items"][0]["id"]
        .as_str()
        .expect("a demo survey")
        .to_owned();
    let fill = |path: &str| -> Option<String> {
        if !path.contains('{') {
            return Some(path.to_owned());
        }
        let id = if path.starts_with("/api/v1/units/{id}") {
            &unit
        } else if path.starts_with("/api/v1/surveys/{id}") {
            // (The demo survey's results are not public: its public
            // results answer 404 before reading the query.)
            &survey
        } else {
            return None;
        };
        let filled = path.replace("{id}", id);
        (!filled.contains('{')).then_some(filled)
    };
    let mut wrong = Vec::new();
    let mut refused = 0;
    for (method, path, op) in operations(&spec) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            let (name, schema) = (p["name"].as_str().unwrap(), &p["schema"]);
            if p["in"] != "query" {
                continue;
            }
            let bounded = schema["minimum"].as_i64().is_some() && schema["maximum"].as_i64().is_some();
            if has_type(schema, "integer") && !bounded && !UNBOUNDED_INTEGERS.iter().any(|(n, _)| *n == name) {
                wrong.push(format!("{method} {path}: {name} has no bounds ({schema})"));
            }
            if schema["format"] != "date" {
                continue;
            }
            if schema["pattern"] != DATE_PATTERN {
                wrong.push(format!("{method} {path}: {name} has no year range ({schema})"));
            }
            // Safeguarding's lists are an officer's, not the admin's.
            let Some(filled) = fill(path).filter(|_| method == "get" && !path.starts_with("/api/v1/safeguarding"))
            else {
                continue;
            };
            // Rows are read with a reason.
            let reason = if op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "reason")
            {
                "reason=bounds&"
            } else {
                ""
            };
            for day in ["1899-12-31", "2200-01-01"] {
                let r = app
                    .get_in(&format!("{filled}?{reason}{name}={day}"), app.admin(), "en")
                    .await;
                let said = r.body["detail"].as_str().unwrap_or("");
                if r.status != 400 || r.body["code"] != "invalid_query" || !said.contains(name) {
                    wrong.push(format!("GET {filled}?{name}={day}: {} {}", r.status, r.text));
                }
                refused += 1;
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(refused >= 20, "only {refused} dates asked");

    // The bounded integers at both ends: one past is refused, the end is
    // taken.
    let preview = format!("/api/v1/surveys/{survey}/preview");
    for (path, name) in [
        ("/api/v1/calendar/holidays", "year"),
        ("/api/v1/progress", "year"),
        (preview.as_str(), "age"),
    ] {
        let template = path.replace(&survey, "{id}");
        let op = &spec["paths"][&template]["get"];
        let schema = &op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{template}: no {name}"))["schema"];
        let (min, max) = (schema["minimum"].as_i64().unwrap(), schema["maximum"].as_i64().unwrap());
        for n in [min - 1, max + 1] {
            app.get(&format!("{path}?{name}={n}"), app.admin())
                .await
                .assert_problem(400, "invalid_query");
        }
        for n in [min, max] {
            let r = app.get(&format!("{path}?{name}={n}"), app.admin()).await;
            assert_eq!(r.status, 200, "{path}?{name}={n}: {}", r.text);
        }
    }
}
