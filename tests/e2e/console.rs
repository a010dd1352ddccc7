//! The web console in a real browser: headless Chromium (Debian's, through chromedriver) logs in
//! with each role's token on the demo park and does each page's main job. Every step saves a
//! screenshot under `target/console-screenshots/` for a person to look at.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{TestHub, fresh_dir, http_with_token};
use crate::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(90);

fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|target| target.join("console-screenshots"))
        .expect("the target folder")
}

struct Console<'a> {
    hub: &'a TestHub,
    browser: Browser,
}

impl Console<'_> {
    fn open(&self, route: &str) {
        self.browser
            .execute("window.location.hash = arguments[0];", vec![json!(route)]);
    }

    fn shot(&self, name: &str) {
        self.browser
            .screenshot(&screenshot_dir().join(format!("{name}.png")));
    }

    fn login(&self, token: &str) {
        self.browser.goto(&self.hub.url("/"));
        self.browser.wait_for("#token", WAIT);
        self.browser.type_into("#token", token);
        self.browser.click("#login");
        self.browser.wait_until(
            "return !!document.querySelector('header.bar .who, .login .error');",
            WAIT,
        );
        if self
            .browser
            .execute("return !!document.querySelector('.login .error');", vec![])
            == json!(true)
        {
            self.shot("login-refused");
            panic!(
                "the login was refused: {}",
                self.browser.text(".login .error")
            );
        }
    }

    fn logout(&self) {
        self.browser.click("#logout");
        self.browser.wait_for("#token", WAIT);
    }

    /// Every request the page made went to the hub; no label was missing a translation.
    fn check_offline_and_translated(&self) {
        let base = &self.hub.base_url;
        for url in self.browser.requested_urls() {
            assert!(
                url.starts_with(base) || url.starts_with("blob:") || url.starts_with("data:"),
                "the console requested {url}, which is not on the hub ({base})"
            );
        }
        let missing = self
            .browser
            .execute("return window.parkhubMissingKeys || [];", vec![]);
        assert_eq!(missing, json!([]), "labels without a translation");
    }

    fn nav_pages(&self) -> Vec<String> {
        self.browser
            .execute(
                "return [...document.querySelectorAll('header nav a')].map(a => a.dataset.page);",
                vec![],
            )
            .as_array()
            .map(|pages| {
                pages
                    .iter()
                    .filter_map(|page| page.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn number(&self, css: &str) -> i64 {
        let text = self.browser.text(css);
        text.trim()
            .replace(',', "")
            .parse()
            .unwrap_or_else(|_| panic!("{css} shows '{text}', not a number"))
    }
}

fn api_json(token: &str, hub: &TestHub, path: &str) -> Value {
    let response = http_with_token(token)
        .get(hub.url(path))
        .send()
        .expect("the hub answers");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().expect("JSON")
}

#[test]
fn console_serves_every_role_in_a_browser_without_the_internet() {
    let dir = fresh_dir("console");
    let hub = TestHub::start_without_token(
        &dir,
        &[
            "--demo",
            "--enterprises",
            "60",
            "--months",
            "14",
            "--energy-days",
            "40",
        ],
    );
    let token = |name: &str| {
        hub.printed_tokens
            .get(name)
            .unwrap_or_else(|| panic!("serve --demo printed no {name} token"))
            .clone()
    };
    let (committee, centre, enterprise) = (
        token("demo-committee"),
        token("demo-centre"),
        token("demo-enterprise"),
    );

    // The page and its assets are public, embedded, and fenced to the hub's own origin.
    let page = reqwest::blocking::get(hub.url("/")).expect("the console's page");
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .expect("a policy")
        .to_string();
    assert!(policy.contains("default-src 'self'"), "{policy}");
    assert!(page.text().expect("HTML").contains("/console/js/app.js"));
    let chart_library =
        reqwest::blocking::get(hub.url("/console/vendor/echarts/echarts.esm.min.mjs"))
            .expect("ECharts");
    assert_eq!(chart_library.status(), 200);
    assert!(
        chart_library.headers()["content-type"]
            .to_str()
            .is_ok_and(|media| media.starts_with("text/javascript"))
    );
    assert_eq!(
        reqwest::blocking::get(hub.url("/console/no-such.js"))
            .expect("an answer")
            .status(),
        404
    );

    let console = Console {
        hub: &hub,
        browser: Browser::start(1366, 900),
    };
    let browser = &console.browser;

    // A wrong token is refused on the login page, with a message.
    browser.goto(&hub.url("/"));
    browser.wait_for("#token", WAIT);
    console.shot("01-login");
    browser.type_into("#token", "phk_not-a-token");
    browser.click("#login");
    browser.wait_for(".login .error", WAIT);
    let refusal = browser.text(".login .error");
    assert!(refusal.contains("令牌无效"), "{refusal}");

    // The committee: the dashboard's charts, with data, definitions and export.
    console.login(&committee);
    assert_eq!(
        browser.execute("return location.hash;", vec![]),
        json!("#/dashboard")
    );
    let pages = console.nav_pages();
    for page in [
        "dashboard",
        "indicators",
        "freshness",
        "sql",
        "catalog",
        "matching",
    ] {
        assert!(
            pages.iter().any(|shown| shown == page),
            "committee menu {pages:?} lacks {page}"
        );
    }
    assert!(!pages.iter().any(|shown| shown == "submit"), "{pages:?}");
    let charts_drawn = "const charts = document.querySelectorAll('.chart');
         return charts.length >= 8 && [...charts].every(c => Number(c.dataset.points) > 0);";
    browser.wait_until(charts_drawn, WAIT);
    let definition = browser.text("#card-digital-levels");
    assert!(definition.contains("口径"), "{definition}");
    assert!(definition.contains("cnc_target"), "{definition}");
    console.shot("02-committee-dashboard");

    // Time to the first chart on a fresh load of the dashboard, measured by the page.
    browser.goto(&hub.url("/#/dashboard"));
    browser.wait_until(
        "return window.parkhubTiming && window.parkhubTiming.firstChartMs !== undefined;",
        WAIT,
    );
    let first_chart_ms = browser
        .execute("return window.parkhubTiming.firstChartMs;", vec![])
        .as_f64()
        .expect("a time");
    browser.wait_until(charts_drawn, WAIT);
    let timing = format!("time to first chart on the demo park: {first_chart_ms:.0} ms\n");
    eprint!("{timing}");
    std::fs::create_dir_all(screenshot_dir()).expect("the screenshot folder");
    std::fs::write(screenshot_dir().join("timing.txt"), timing).expect("write the timing");

    // The filters change the parameters: one industry leaves one bar per series.
    console.open("#/dashboard?industry=machinery");
    browser.wait_until(
        "const c = document.querySelector('#chart-added-value'); return !!c && c.dataset.points === '2';",
        WAIT,
    );
    // Export: the XLSX button fetches the indicator as a workbook.
    browser.execute(
        "window.__downloads = []; const original = URL.createObjectURL;
         URL.createObjectURL = (blob) => { window.__downloads.push({type: blob.type, size: blob.size}); return original(blob); };",
        vec![],
    );
    browser.click("#card-energy-intensity [data-export='xlsx']");
    browser.wait_until("return window.__downloads.length === 1;", WAIT);
    let download = browser.execute("return window.__downloads[0];", vec![]);
    assert!(
        download["type"]
            .as_str()
            .is_some_and(|media| media.contains("spreadsheetml")),
        "{download}"
    );
    assert!(
        download["size"].as_i64().is_some_and(|size| size > 1000),
        "{download}"
    );

    // The indicator library: run one, as a table and a chart.
    let expected = api_json(&committee, &hub, "/api/indicators/rd_intensity");
    console.open("#/indicators?name=rd_intensity");
    browser.wait_until(
        "const c = document.querySelector('#indicator-chart'); return !!c && Number(c.dataset.points) > 0;",
        WAIT,
    );
    assert_eq!(
        browser.execute(
            "return document.querySelector('#indicator-detail table.grid').dataset.rows;",
            vec![]
        ),
        json!(expected["row_count"].to_string())
    );
    console.shot("03-committee-indicator");

    // Freshness: the demo park leaves some enterprises late, listed first.
    console.open("#/freshness");
    browser.wait_for("#freshness-total", WAIT);
    assert_eq!(console.number("#freshness-total"), 60);
    let late = console.number("#freshness-late-production");
    assert!(late > 0 && late < 60, "{late} enterprises late");
    assert!(
        browser.execute(
            "const rows = document.querySelectorAll('#freshness-result table.grid tbody tr');
         return rows.length > 0 && [...rows].every(r => r.classList.contains('late'));",
            vec![],
        ) == json!(true)
    );
    console.shot("04-committee-freshness");

    // SQL: a paged grid with the right row count, and an error shown at its position.
    console.open("#/sql?q=SELECT%20uscc%2C%20name%20FROM%20enterprises%20ORDER%20BY%20uscc");
    browser.wait_for("#sql-result table.grid", WAIT);
    assert_eq!(
        browser.execute(
            "return document.querySelector('#sql-result table.grid').dataset.rows;",
            vec![]
        ),
        json!("60")
    );
    assert!(browser.text("#sql-result .pager").contains("第 1 / 2 页"));
    browser.wait_for("#tables [data-table='production_monthly']", WAIT);
    console.shot("05-committee-sql");
    console.open("#/sql?q=SELECT%20name%20FRM%20enterprises");
    browser.wait_for("#sql-error-position", WAIT);
    // The parser stops at `enterprises`, the 17th character: the caret is put under it.
    let position = browser.text("#sql-error-position");
    assert!(position.contains("第 1 行，第 17 列"), "{position}");
    assert_eq!(
        browser.execute(
            "return document.querySelector('#sql-editor').selectionStart;",
            vec![]
        ),
        json!(16)
    );
    assert!(browser.text("#sql-result .error").contains("syntax error"));

    // English by the switch, every label in both.
    browser.click("#language");
    browser.wait_until(
        "return document.querySelector('header nav').innerText.includes('Dashboard');",
        WAIT,
    );
    browser.click("#language");
    console.check_offline_and_translated();
    console.logout();

    // The centre: search with facets and highlights, an entry, the contract's field errors, matching.
    console.login(&centre);
    assert_eq!(
        browser.execute("return location.hash;", vec![]),
        json!("#/matching")
    );
    console.open("#/catalog?q=%E9%A2%84%E6%B5%8B%E6%80%A7%E7%BB%B4%E6%8A%A4");
    browser.wait_for("#catalog-results .hit", WAIT);
    assert!(
        browser.execute(
            "return document.querySelectorAll('#catalog-results .hit em').length > 0;",
            vec![]
        ) == json!(true)
    );
    assert!(browser.text("#facets").contains("类别"));
    console.shot("06-centre-catalog");
    browser.click("#facets [data-facet='category'] input");
    browser.wait_until("return location.hash.includes('category=');", WAIT);
    browser.wait_for("#catalog-results .hit", WAIT);
    browser.click("#catalog-results .hit h2 a");
    browser.wait_for("#entry-title", WAIT);
    browser.wait_for("#entry-edit", WAIT);
    console.open("#/entry?new=offering");
    browser.wait_for("#entry-form", WAIT);
    browser.type_into("#field-offering_id", "O9001");
    browser.type_into("#field-provider_id", "P0001");
    browser.type_into("#field-rating", "9");
    browser.click("#entry-save");
    browser.wait_until(
        "const e = document.querySelector('.field-error[data-field=rating]'); return !!e && e.textContent.length > 0;",
        WAIT,
    );
    assert!(
        browser
            .text(".field-error[data-field='name']")
            .contains("required")
    );
    console.shot("07-centre-entry-errors");
    console.open("#/matching?need=ND0001");
    browser.wait_for("#match-list .match", WAIT);
    assert!(
        browser.execute(
            "const first = document.querySelector('#match-list .match');
         return first.querySelectorAll('.score-bar span').length > 0
             && first.querySelectorAll('.parts tr').length === 6
             && first.querySelectorAll('.terms .chip').length > 0;",
            vec![],
        ) == json!(true)
    );
    assert!(browser.text("#match-need-shown").contains("ND0001"));
    console.shot("08-centre-matching");
    console.check_offline_and_translated();
    console.logout();

    // The enterprise: its submission page, and no page for the whole park.
    console.login(&enterprise);
    assert_eq!(
        browser.execute("return location.hash;", vec![]),
        json!("#/submit")
    );
    let pages = console.nav_pages();
    for park_wide in ["dashboard", "indicators", "freshness", "matching"] {
        assert!(
            !pages.iter().any(|shown| shown == park_wide),
            "enterprise menu {pages:?}"
        );
        console.open(&format!("#/{park_wide}"));
        browser.wait_for("#forbidden", WAIT);
        assert!(
            browser.execute("return document.querySelectorAll('.chart').length;", vec![])
                == json!(0)
        );
    }
    let me = api_json(&enterprise, &hub, "/api/whoami");
    let uscc = me["uscc"].as_str().expect("the enterprise's USCC");
    console.open("#/submit");
    browser.wait_for("#submit-drop", WAIT);
    browser.wait_until(
        "return document.querySelector('#submit-table').value === 'production_monthly';",
        WAIT,
    );
    // A file dropped on the page: two good rows and one with a month that does not exist.
    let csv = format!(
        "uscc,period,output_value,added_value,revenue,profit,tax,rd_expense,employees\n\
         {uscc},2027-01,100,30,90,5,3,2,40\n{uscc},2027-13,100,30,90,5,3,2,40\n{uscc},2027-02,110,33,99,6,3,2,41\n"
    );
    browser.execute(
        "const data = new DataTransfer();
         data.items.add(new File([arguments[0]], 'month.csv', {type: 'text/csv'}));
         document.querySelector('#submit-drop').dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));",
        vec![json!(csv)],
    );
    browser.wait_for("#ingest-report", WAIT);
    assert_eq!(console.number("#rows-written"), 2);
    assert_eq!(console.number("#rows-rejected"), 1);
    browser.wait_for("#rejected-rows table.grid", WAIT);
    let rejected = browser.text("#rejected-rows");
    assert!(
        rejected.contains("不是日期") && rejected.contains("is not a date"),
        "{rejected}"
    );
    browser.wait_for("#ingest-history", WAIT);
    assert!(
        browser
            .text("#ingest-history")
            .contains("production_monthly")
    );
    console.shot("09-enterprise-submission");
    console.check_offline_and_translated();

    // Readable on a phone: nothing wider than the screen.
    drop(console);
    let phone = Console {
        hub: &hub,
        browser: Browser::start(390, 844),
    };
    phone.login(&committee);
    phone.browser.wait_until(charts_drawn, WAIT);
    assert!(
        phone.browser.execute(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
            vec![],
        ) == json!(true),
        "the dashboard is wider than a phone's screen"
    );
    phone.shot("10-committee-dashboard-phone");
}
