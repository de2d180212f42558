use anyhow::Result;
use chrono::{Duration as Span, TimeZone, Utc};
use govbot::governance::*;
use govbot::store::{Store, Target, Trigger};
use std::time::Instant;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let e: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1000);
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("s.db");
    let store = Store::open(&db).await?;
    let policy = Policy::default();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let alice = Actor::member(MemberId(1), []);
    let template = TemplateDraft::new(GroupKind::Wg).name("Xylo").facilitator(MemberId(1))
        .field(Field::UseCases, "x").field(Field::FirstItem, "SEP-1").validate().unwrap();
    let id = store.execute(Target::New, &Command::Propose { template }, &Acting::new(&alice, t0, &policy), None).await?.id;
    let m = Actor::member(MemberId(2), [Role::Moderator]);
    let prior: usize = std::env::args().skip(2).find_map(|a| a.parse().ok()).unwrap_or(0);
    for p in 0..prior {
        let template = TemplateDraft::new(GroupKind::Wg).name(format!("Prior {p}")).facilitator(MemberId(1))
            .field(Field::UseCases, "x").field(Field::FirstItem, "SEP-1").validate().unwrap();
        let pid = store.execute(Target::New, &Command::Propose { template }, &Acting::new(&alice, t0, &policy), None).await?.id;
        let big = |k: usize| 800_000_000_000_100_000u64 + k as u64;
        let electorate = (0..e).map(|k| MemberId(big(k))).collect();
        store.execute(Target::Group(pid), &Command::CallVote { electorate }, &Acting::new(&m, t0, &policy), None).await?;
        let t = Instant::now();
        let mut ps = Vec::new();
        for k in 0..e {
            let a = Actor::member(MemberId(big(k)), []);
            let tt = Instant::now();
            store.execute(Target::Group(pid), &Command::Cast { choice: Choice::Yes }, &Acting::new(&a, t0 + Span::minutes(1), &policy), Some(&Trigger::Interaction(1_576_951_092_317_519_872 + (p * e + k) as u64))).await?;
            ps.push(tt.elapsed());
        }
        ps.sort();
        println!("prior vote {p}: {:?} per ballot, p50 {:?}", t.elapsed() / e as u32, ps[e / 2]);
    }
    let electorate = (0..e as u64).map(|k| MemberId(10_000 + k)).collect();
    store.execute(Target::Group(id), &Command::CallVote { electorate }, &Acting::new(&m, t0, &policy), None).await?;
    let mut samples = Vec::new();
    for k in 0..e {
        let a = Actor::member(MemberId(10_000 + k as u64), []);
        let t = Instant::now();
        store.execute(Target::Group(id), &Command::Cast { choice: Choice::Yes }, &Acting::new(&a, t0 + Span::minutes(1), &policy), Some(&Trigger::Interaction(1_000_000 + k as u64))).await?;
        samples.push(t.elapsed());
        if k % (e / 5).max(1) == 0 {
            let wal = std::fs::metadata(dir.path().join("s.db-wal")).map(|m| m.len()).unwrap_or(0);
            let mut s = samples.clone(); s.sort();
            println!("k={k} p50 so far {:?} last {:?} wal {} KB", s[s.len()/2], samples.last().unwrap(), wal/1024);
        }
    }
    samples.sort();
    println!("e={e} p50={:?} p90={:?}", samples[e / 2], samples[e * 9 / 10]);
    Ok(())
}
