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

    /// The methods a path answers to, if it matches a route. A path that
    /// several templates match is the most literal one's, as OpenAPI has it
    /// (`/issues/bulk` is not `/issues/{id}`): segment by segment, a
    /// literal goes before a parameter.
    pub fn methods_for(&self, path: &str) -> Option<Vec<Method>> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut best: Option<(Vec<bool>, Vec<Method>)> = None;
        for (segments, methods) in &self.routes {
            let matches = segments.len() == parts.len()
                && segments
                    .iter()
                    .zip(&parts)
                    .all(|(s, p)| (is_param(s) && !p.is_empty()) || s == p);
            if !matches {
                continue;
            }
            let shape: Vec<bool> = segments.iter().map(|s| is_param(s)).collect();
            match &mut best {
                Some((best_shape, found)) if *best_shape == shape => found.extend(methods.iter().cloned()),
                Some((best_shape, _)) if *best_shape < shape => {}
                _ => best = Some((shape, methods.clone())),
            }
        }
        best.map(|(_, methods)| methods)
    }

    /// Every pair of templates where the first, more literal, takes paths
    /// the second would also match: the second must never answer them.
    pub fn shadowed(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for (a, _) in &self.routes {
            for (b, _) in &self.routes {
                let takes = a.len() == b.len()
                    && a != b
                    && a.iter().zip(b).all(|(x, y)| x == y || is_param(y))
                    && a.iter().zip(b).any(|(x, y)| !is_param(x) && is_param(y));
                if takes {
                    pairs.push((format!("/{}", a.join("/")), format!("/{}", b.join("/"))));
                }
            }
        }
        pairs
    }
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{')
}
