//! Where a webhook may go: nothing in the IANA special-purpose registries
//! (IPv4 and IPv6, mapped and 6to4 addresses judged by the IPv4 inside),
//! refused when registered; and the relay connects to the very addresses it
//! checked, with the original host in `Host`.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use actix_web::http::Method;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::json;

/// Each block's edges and their neighbours: (address, special-purpose).
const CASES: &[(&str, bool)] = &[
    // 0.0.0.0/8, 10/8
    ("0.0.0.0", true),
    ("0.255.255.255", true),
    ("1.0.0.0", false),
    ("9.255.255.255", false),
    ("10.0.0.0", true),
    ("10.255.255.255", true),
    ("11.0.0.0", false),
    // 100.64/10
    ("100.63.255.255", false),
    ("100.64.0.0", true),
    ("100.127.255.255", true),
    ("100.128.0.0", false),
    // 127/8
    ("126.255.255.255", false),
    ("127.0.0.1", true),
    ("127.255.255.255", true),
    ("128.0.0.0", false),
    // 169.254/16
    ("169.253.255.255", false),
    ("169.254.169.254", true),
    ("169.255.0.0", false),
    // 172.16/12
    ("172.15.255.255", false),
    ("172.16.0.0", true),
    ("172.31.255.255", true),
    ("172.32.0.0", false),
    // 192.0.0/24, 192.0.2/24
    ("191.255.255.255", false),
    ("192.0.0.0", true),
    ("192.0.0.8", true),
    ("192.0.0.255", true),
    ("192.0.1.0", false),
    ("192.0.2.0", true),
    ("192.0.2.255", true),
    ("192.0.3.0", false),
    // AS112, AMT
    ("192.31.196.1", true),
    ("192.52.193.1", true),
    ("192.175.48.1", true),
    // 192.88.99/24
    ("192.88.98.255", false),
    ("192.88.99.1", true),
    ("192.88.100.0", false),
    // 192.168/16
    ("192.167.255.255", false),
    ("192.168.1.1", true),
    ("192.169.0.0", false),
    // 198.18/15
    ("198.17.255.255", false),
    ("198.18.0.0", true),
    ("198.19.255.255", true),
    ("198.20.0.0", false),
    // 198.51.100/24, 203.0.113/24
    ("198.51.99.255", false),
    ("198.51.100.7", true),
    ("198.51.101.0", false),
    ("203.0.112.255", false),
    ("203.0.113.9", true),
    ("203.0.114.0", false),
    // 224/4, 240/4, broadcast
    ("223.255.255.255", false),
    ("224.0.0.1", true),
    ("239.255.255.255", true),
    ("240.0.0.1", true),
    ("255.255.255.254", true),
    ("255.255.255.255", true),
    // Public IPv4.
    ("8.8.8.8", false),
    ("203.113.131.1", false),
    // ::, ::1, IPv4-compatible.
    ("::", true),
    ("::1", true),
    ("::7f00:1", true),
    // IPv4-mapped: the IPv4 inside decides.
    ("::ffff:127.0.0.1", true),
    ("::ffff:192.0.0.1", true),
    ("::ffff:198.18.0.1", true),
    ("::ffff:8.8.8.8", false),
    ("::ffff:0:127.0.0.1", true),
    // NAT64.
    ("64:ff9b::808:808", true),
    ("64:ff9b:1::1", true),
    // Discard.
    ("100::1", true),
    ("100::ffff:ffff:ffff:ffff", true),
    // 2001::/23 (Teredo …), documentation.
    ("2001::1", true),
    ("2001:1ff:ffff:ffff::", true),
    ("2001:200::", false),
    ("2001:db8::1", true),
    ("2001:db8:ffff::1", true),
    ("2001:db9::", false),
    // 6to4: the IPv4 inside decides.
    ("2002:c000:201::", true),
    ("2002:7f00:1::", true),
    ("2002:a00:1::", true),
    ("2002:808:808::", false),
    // AS112-v6, documentation 3fff::/20, SRv6.
    ("2620:4f:8000::1", true),
    ("2620:4f:8001::", false),
    ("3fff::1", true),
    ("3fff:fff:ffff::", true),
    ("3fff:1000::", false),
    ("5f00::1", true),
    // Unique local, link local, site local, multicast.
    ("fc00::1", true),
    ("fdff:ffff::", true),
    ("fe80::1", true),
    ("febf:ffff::", true),
    ("fec0::1", true),
    ("ff02::1", true),
    // Outside global unicast 2000::/3.
    ("1fff:ffff::", true),
    ("4000::", true),
    // Public IPv6.
    ("2001:ee0::1", false),
    ("2404:6800:4005:80e::200e", false),
    ("2600::", false),
];

#[test]
fn special_purpose_addresses_by_the_iana_registries() {
    for (ip, special) in CASES {
        let parsed: IpAddr = ip.parse().unwrap();
        assert_eq!(
            langnghe_api::services::destinations::special_purpose(parsed).is_some(),
            *special,
            "{ip}: {:?}",
            langnghe_api::services::destinations::special_purpose(parsed)
        );
    }
    // Every block of the tables is refused at its first and last address.
    use langnghe_api::services::destinations::{SPECIAL_V4, SPECIAL_V6, internal_address};
    let v4 = SPECIAL_V4.iter().flat_map(|(net, prefix, name)| {
        let first = u32::from(*net);
        let last = first | (u32::MAX.checked_shr(u32::from(*prefix)).unwrap_or(0));
        [first, last].map(|a| (IpAddr::V4(a.into()), *name))
    });
    let v6 = SPECIAL_V6.iter().flat_map(|(net, prefix, name)| {
        let first = u128::from(*net);
        let last = first | (u128::MAX.checked_shr(u32::from(*prefix)).unwrap_or(0));
        [first, last].map(|a| (IpAddr::V6(a.into()), *name))
    });
    for (ip, name) in v4.chain(v6) {
        assert!(internal_address(ip), "{ip} in {name}");
    }
}

/// Registering a webhook at an address in any special-purpose block is
/// refused; a public address is accepted.
#[actix_web::test]
async fn webhooks_are_refused_at_special_purpose_addresses() {
    let (app, office) = crate::webhooks::outside_development().await;
    let path = format!("/api/v1/agencies/{office}/webhook");
    for (ip, special) in CASES {
        let host = if ip.contains(':') {
            format!("[{ip}]")
        } else {
            ip.to_string()
        };
        let r = app
            .send_json(
                Method::PUT,
                &path,
                app.admin(),
                &json!({"url": format!("https://{host}/hooks/langnghe")}),
            )
            .await;
        if *special {
            r.assert_fields(&[("url", "invalid_destination")]);
        } else {
            assert_eq!(r.status, 200, "{ip}: {}", r.text);
        }
    }
    app.send_json(
        Method::PUT,
        "/api/v1/safeguarding/webhook",
        app.admin(),
        &json!({"url": "https://198.18.0.1/hooks"}),
    )
    .await
    .assert_fields(&[("url", "invalid_destination")]);
}

/// What the receiver saw: the `Host` header of each request.
#[derive(Default)]
struct Hosts(Mutex<Vec<String>>);

async fn record(req: HttpRequest, hosts: web::Data<Arc<Hosts>>) -> HttpResponse {
    let host = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    hosts.0.lock().unwrap().push(host);
    HttpResponse::NoContent().finish()
}

/// The relay's client connects to the addresses it was given: a host that
/// resolves nowhere (`.invalid`) reaches the receiver pinned on loopback,
/// and the receiver still sees the URL's host.
#[actix_web::test]
async fn the_checked_address_is_the_one_connected_to() {
    let hosts = Arc::new(Hosts::default());
    let data = web::Data::new(hosts.clone());
    let server = HttpServer::new(move || App::new().app_data(data.clone()).route("/hook", web::post().to(record)))
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    let url = format!("http://webhook.invalid:{}/hook", addr.port());
    // Without pinning, the host does not resolve.
    assert!(
        langnghe_api::services::destinations::check_destination(&url, true)
            .await
            .is_err()
    );
    let r = langnghe_api::services::destinations::pinned_client(vec![addr])
        .post(&url)
        .send_body("{}")
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(
        hosts.0.lock().unwrap().clone(),
        [format!("webhook.invalid:{}", addr.port())]
    );
    // The checked addresses of a loopback URL are what the relay pins.
    let checked = langnghe_api::services::destinations::check_destination(
        &format!("http://127.0.0.1:{}/hook", addr.port()),
        true,
    )
    .await
    .unwrap();
    assert_eq!(checked, [addr]);
    assert_eq!(
        langnghe_api::services::destinations::check_destination(
            &format!("http://127.0.0.1:{}/hook", addr.port()),
            false
        )
        .await,
        Err(
            "the host is on a special-purpose address (private, local, shared, documentation, benchmarking, multicast, reserved …)"
        )
    );
}
