//! A count of the D1 round trips one request makes, for the integration
//! tests that hold the checkout's hot path to its budget (two round trips
//! for a new checkout). Off unless the test variable [`ENABLE_VAR`] is
//! `"on"`; a production deploy never sets it, and never pays for it.
//!
//! What is counted is real: every statement, `first`/`all`/`run`/`raw` and
//! every `batch`, reaches D1 through one `fetch` of the binding's own
//! fetcher. The request gets a copy of the `DB` binding whose fetcher counts
//! those fetches before passing each on unchanged, so whatever module reads
//! or writes D1 during the request is counted, and a batch counts once (it
//! is one round trip). The answer carries the count in [`HEADER`]; work
//! that goes on after the answer (`wait_until`) is not in it.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use worker::js_sys::{Array, Function, Object, Proxy, Reflect};
use worker::Env;

/// The variable that turns the count on (`"on"`), set by the tests' stack.
pub(crate) const ENABLE_VAR: &str = "D1_ROUND_TRIPS_HEADER";
/// The answer's header with the request's D1 round trips.
pub(crate) const HEADER: &str = "x-d1-round-trips";

/// Own properties of the counting fetcher: the binding's real fetcher, and
/// the count so far.
const REAL: &str = "__qc_real_fetcher";
const COUNT: &str = "__qc_d1_round_trips";

thread_local! {
    /// The `apply` handler of the counting `fetch`: one per isolate, and
    /// stateless (the counter lives on the fetcher it is called on), so it
    /// outlives every request that used it.
    static HANDLER: Option<Object> = handler();
}

fn handler() -> Option<Object> {
    let trap = Closure::<dyn Fn(JsValue, JsValue, Array) -> Result<JsValue, JsValue>>::new(
        |target: JsValue, this: JsValue, args: Array| {
            let n = Reflect::get(&this, &COUNT.into())?.as_f64().unwrap_or(0.0);
            Reflect::set(&this, &COUNT.into(), &(n + 1.0).into())?;
            let real = Reflect::get(&this, &REAL.into())?;
            Reflect::apply(target.unchecked_ref::<Function>(), &real, &args)
        },
    );
    let handler: Object = Object::new();
    Reflect::set(&handler, &"apply".into(), &trap.into_js_value()).ok()?;
    Some(handler)
}

/// The request's D1 round trips so far.
pub(crate) struct D1Meter {
    fetcher: Object,
}

impl D1Meter {
    /// Whether the count is turned on for this Worker.
    pub(crate) fn enabled(env: &Env) -> bool {
        env.var(ENABLE_VAR).is_ok_and(|v| v.to_string() == "on")
    }

    /// An `env` whose `DB` counts its round trips, and the meter reading
    /// them; `None` (and the plain `env` is used) when the binding is not
    /// shaped as this meter expects.
    pub(crate) fn install(env: &Env) -> Option<(Env, D1Meter)> {
        let db = Reflect::get(env, &"DB".into()).ok()?;
        let real_fetcher = Reflect::get(&db, &"fetcher".into()).ok()?;
        let session = Reflect::get(&db, &"alwaysPrimarySession".into()).ok()?;
        if !real_fetcher.is_object() || !session.is_object() {
            return None;
        }
        let fetch = Reflect::get(&real_fetcher, &"fetch".into()).ok()?;
        let handler = HANDLER.with(Clone::clone)?;
        let counting = Proxy::new(&fetch, &handler);
        let fetcher: Object = Object::new();
        Reflect::set(&fetcher, &"fetch".into(), &counting).ok()?;
        Reflect::set(&fetcher, &REAL.into(), &real_fetcher).ok()?;
        Reflect::set(&fetcher, &COUNT.into(), &0.into()).ok()?;
        // The binding and its session, with the counting fetcher in place
        // of theirs; everything else is the real binding's.
        let session: Object = Object::create(session.unchecked_ref::<Object>());
        Reflect::set(&session, &"fetcher".into(), &fetcher).ok()?;
        let db: Object = Object::create(db.unchecked_ref::<Object>());
        Reflect::set(&db, &"fetcher".into(), &fetcher).ok()?;
        Reflect::set(&db, &"alwaysPrimarySession".into(), &session).ok()?;
        let counted_env: Object = Object::create(env.unchecked_ref::<Object>());
        Reflect::set(&counted_env, &"DB".into(), &db).ok()?;
        Some((counted_env.unchecked_into(), D1Meter { fetcher }))
    }

    /// Round trips made so far.
    pub(crate) fn round_trips(&self) -> u32 {
        Reflect::get(&self.fetcher, &COUNT.into())
            .ok()
            .and_then(|v| v.as_f64())
            .map_or(0, |n| n as u32)
    }
}
