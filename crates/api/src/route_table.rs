//! The routes of the API as path templates and methods, read from the
//! OpenAPI document, to answer 405 (with `Allow`) rather than 404 when a
//! path exists with another method.

use actix_web::http::Method;

/// Path templates and their methods, to answer 405 instead of 404 when a
/// route exists with another method.
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<Method>)>,
}

impl RouteTable {
    pub fn from_spec(api: &utoipa::openapi::OpenApi) -> RouteTable {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.trim_matches('/').split('/').map(str::to_owned).collect();
                let methods = [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ]
                .into_iter()
                .filter(|(op, _)| op.is_some())
                .map(|(_, m)| m)
                .collect();
                (segments, methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods a path answers to, if it matches a route.
    pub fn methods_for(&self, path: &str) -> Option<Vec<Method>> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut found: Vec<Method> = Vec::new();
        for (segments, methods) in &self.routes {
            let matches = segments.len() == parts.len()
                && segments
                    .iter()
                    .zip(&parts)
                    .all(|(s, p)| (s.starts_with('{') && !p.is_empty()) || s == p);
            if matches {
                found.extend(methods.iter().cloned());
            }
        }
        (!found.is_empty()).then_some(found)
    }
}
