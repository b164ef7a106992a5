//! Unit tests of the api crate's foundation (the clock, networks, the S3
//! signature). The api crate builds no test target of its own, to keep
//! compile time down: its pure parts are tested here, through their public
//! paths, so that these tests run with every other.

use chrono::{Duration, NaiveDate};
use langnghe_api::clock::{Clock, local_day, local_day_start};
use langnghe_api::config::S3Config;
use langnghe_api::letters::s3::{EMPTY_SHA256, sign};
use langnghe_api::network::network_of;

#[test]
fn a_started_clock_reads_its_start_and_moves_on() {
    let start = local_day_start(NaiveDate::from_ymd_opt(2026, 3, 11).unwrap_or_default()) + Duration::hours(9);
    let clock = Clock::starting_at(start);
    let read = clock.now();
    assert!(
        read >= start && read - start < Duration::seconds(5),
        "{read} vs {start}"
    );
    assert_eq!(clock.local_date().to_string(), "2026-03-11");
    let shared = clock.clone();
    shared.advance(Duration::days(31));
    assert_eq!(clock.local_date().to_string(), "2026-04-11");
}

#[test]
fn a_frozen_clock_reads_one_instant_until_moved() {
    let start = local_day_start(NaiveDate::from_ymd_opt(2026, 3, 11).unwrap_or_default());
    let clock = Clock::starting_at(start);
    clock.freeze();
    let read = clock.now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert_eq!(clock.now(), read);
    clock.advance(Duration::seconds(1));
    assert_eq!(clock.now(), read + Duration::seconds(1));
    clock.set(start);
    assert_eq!(clock.now(), start);
}

#[test]
fn local_days_begin_at_local_midnight() {
    let d = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default();
    let start = local_day_start(d);
    assert_eq!(start.to_rfc3339(), "2026-12-30T17:00:00+00:00");
    assert_eq!(local_day(start), d);
    assert_eq!(
        local_day(start - Duration::microseconds(1)),
        d.pred_opt().unwrap_or_default()
    );
}

#[test]
fn networks_are_ipv4_addresses_and_ipv6_slash_64s() {
    let check = |input: &str, expect: &str| {
        assert_eq!(network_of(input.parse().unwrap()), expect, "{input}");
    };
    check("203.0.113.7", "203.0.113.7");
    check("::ffff:203.0.113.7", "203.0.113.7");
    check("2001:db8:1:2::1", "2001:db8:1:2::/64");
    check("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64");
    check("2001:db8:1:3::1", "2001:db8:1:3::/64");
    check("::1", "0:0:0:0::/64");
}

/// The example of AWS's documentation for a GET of an object
/// (Signature Version 4, "GET Object"), with its published
/// signature.
#[test]
fn signs_as_aws_documents() {
    let s3 = S3Config {
        endpoint: "https://examplebucket.s3.amazonaws.com".into(),
        bucket: "examplebucket".into(),
        region: "us-east-1".into(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
    };
    let headers = [
        ("host", "examplebucket.s3.amazonaws.com"),
        ("range", "bytes=0-9"),
        ("x-amz-content-sha256", EMPTY_SHA256),
        ("x-amz-date", "20130524T000000Z"),
    ];
    assert_eq!(
        sign(&s3, "GET", "/test.txt", &headers, EMPTY_SHA256, "20130524T000000Z"),
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
}

#[test]
fn a_public_issue_id_hides_the_stored_one_and_leads_back_to_it() {
    use langnghe_api::credentials::DataKey;
    let key = DataKey::new("a data key of this test");
    let other = DataKey::new("another data key");
    // Two issues raised a millisecond apart: their v7 ids share the
    // timestamp's first 40 bits.
    let ts = |ms: u64| uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, ((ms % 1000) * 1_000_000) as u32);
    let a = uuid::Uuid::new_v7(ts(1_790_000_000_000));
    let b = uuid::Uuid::new_v7(ts(1_790_000_000_001));
    assert_eq!(a.as_bytes()[..5], b.as_bytes()[..5]);
    let (pa, pb) = (key.public_issue_id(a), key.public_issue_id(b));
    for (stored, public) in [(a, pa), (b, pb)] {
        assert_ne!(public, stored);
        // The first 48 bits of a v7 id are its millisecond.
        assert_ne!(public.as_bytes()[..6], stored.as_bytes()[..6]);
        assert_eq!(key.issue_of_public_id(public), stored);
        assert_ne!(other.public_issue_id(stored), public, "the permutation is keyed");
    }
    // Neighbouring stored ids publish unrelated ids: no shared prefix.
    let shared = pa
        .as_bytes()
        .iter()
        .zip(pb.as_bytes())
        .take_while(|(x, y)| x == y)
        .count();
    assert!(shared < 3, "{pa} and {pb} share {shared} leading bytes");
    // Every value leads back to some id, and back again.
    let any = uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
    assert_eq!(key.public_issue_id(key.issue_of_public_id(any)), any);
}
