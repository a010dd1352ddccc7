//! The drop folder of `parkhub serve --watch`.

use std::time::{Duration, Instant};

use crate::support::{TestHub, fresh_dir, sql_count};

fn wait_for(path: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} did not appear",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn files_dropped_in_a_table_folder_are_ingested_and_filed_away() {
    let dir = fresh_dir("watch");
    let drop = dir.join("drop");
    let hub = TestHub::start(&dir, &["--watch", drop.to_str().expect("utf8")]);
    std::fs::create_dir_all(drop.join("enterprises")).expect("table folder");
    std::fs::create_dir_all(drop.join("no_such_table")).expect("bad folder");

    // A file written in two steps is only taken once it has stopped growing.
    let good = drop.join("enterprises/batch1.csv");
    std::fs::write(
        &good,
        "统一社会信用代码,企业名称,行业代码,重点行业\n91110000600037341L,甲公司,C3411,machinery\n",
    )
    .expect("write");
    std::thread::sleep(Duration::from_millis(300));
    let mut more = std::fs::OpenOptions::new()
        .append(true)
        .open(&good)
        .expect("open");
    std::io::Write::write_all(
        &mut more,
        "91440300568520498A,乙公司,C3130,iron_steel\n91110000600037341N,丙公司,C3411,machinery\n"
            .as_bytes(),
    )
    .expect("append");
    drop_handle(more);
    std::fs::write(drop.join("no_such_table/x.csv"), "a,b\n1,2\n").expect("write");

    let done = drop.join("enterprises/done/batch1.csv");
    wait_for(&done);
    wait_for(&drop.join("enterprises/done/batch1.csv.report.json"));
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(drop.join("enterprises/done/batch1.csv.report.json")).expect("report"),
    )
    .expect("json");
    assert_eq!(report["rows_written"], 2, "{report}");
    assert_eq!(report["rows_rejected"], 1, "{report}");
    assert!(!good.exists());

    wait_for(&drop.join("no_such_table/failed/x.csv.report.json"));
    let failed: serde_json::Value = serde_json::from_slice(
        &std::fs::read(drop.join("no_such_table/failed/x.csv.report.json")).expect("report"),
    )
    .expect("json");
    assert!(
        failed["error"]
            .as_str()
            .expect("error")
            .contains("unknown table 'no_such_table'"),
        "{failed}"
    );

    drop_handle(hub);
    assert_eq!(sql_count(&dir, "SELECT count(*) FROM enterprises"), 2);
}

fn drop_handle<T>(value: T) {
    std::mem::drop(value);
}
