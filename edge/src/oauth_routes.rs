//! OAuth connect and provider connection admin routes (INTERFACE STUB: being implemented).

use crate::error::{EdgeError, EdgeResult};
use crate::http::Cx;
use worker::{Request, Response};

/// `GET /admin/oauth/start`.
pub(crate) async fn start(_req: Request, _cx: &Cx) -> EdgeResult<Response> {
    Err(EdgeError::Internal("not implemented".into()))
}
/// `GET /oauth/callback`.
pub(crate) async fn callback(_req: Request, _cx: &Cx) -> EdgeResult<Response> {
    Err(EdgeError::Internal("not implemented".into()))
}
/// `GET /admin/connection`.
pub(crate) async fn get_connection(_req: Request, _cx: &Cx) -> EdgeResult<Response> {
    Err(EdgeError::Internal("not implemented".into()))
}
/// `POST /admin/connection`.
pub(crate) async fn create_connection(_req: Request, _cx: &Cx) -> EdgeResult<Response> {
    Err(EdgeError::Internal("not implemented".into()))
}
