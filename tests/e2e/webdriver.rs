//! A small W3C WebDriver client for the console tests: it starts Debian's `chromedriver` on a
//! free loopback port and drives headless Chromium through it (no browser download, no other
//! host reached).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The element reference key of the W3C protocol.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process and one browser session on it; both end when this is dropped.
pub struct Browser {
    driver: Child,
    http: reqwest::blocking::Client,
    session_url: String,
    _profile: tempfile::TempDir,
}

/// A page element found by a CSS selector.
#[derive(Debug, Clone)]
pub struct Element(String);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

fn find_program(names: &[&str]) -> String {
    for name in names {
        for folder in ["/usr/bin", "/usr/local/bin", "/usr/lib/chromium"] {
            let path = Path::new(folder).join(name);
            if path.exists() {
                return path.display().to_string();
            }
        }
    }
    panic!(
        "{} is not installed: the console tests need Debian's chromium and chromium-driver \
         (`make test-deps` installs them with apt-get)",
        names.join(" or ")
    );
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile, `width`×`height`.
    pub fn start(width: u32, height: u32) -> Browser {
        let driver_path = find_program(&["chromedriver"]);
        let chromium = find_program(&["chromium", "chromium-browser"]);
        let port = free_port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("{driver_path} does not start: {error}"));
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(120))
            .no_proxy()
            .build()
            .expect("an HTTP client");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = http
                .get(format!("{base}/status"))
                .send()
                .ok()
                .and_then(|response| response.json::<Value>().ok())
                .is_some_and(|status| status["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not get ready within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().expect("a browser profile folder");
        // The flags keep Chromium off the network: no background fetches, updates or sync.
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--disable-dev-shm-usage".to_string(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }}});
        let response: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .and_then(|response| response.json())
            .expect("chromedriver answers a new session");
        let session = response["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {response}"))
            .to_string();
        Browser {
            driver,
            http,
            session_url: format!("{base}/session/{session}"),
            _profile: profile,
        }
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.session_url));
        if let Some(body) = body {
            request = request.json(&body);
        } else if method == reqwest::Method::POST {
            request = request.json(&json!({}));
        }
        let response: Value = request
            .send()
            .and_then(|response| response.json())
            .unwrap_or_else(|error| panic!("WebDriver {path}: {error}"));
        if let Some(error) = response["value"].get("error") {
            panic!(
                "WebDriver {path}: {error}: {}",
                response["value"]["message"]
            );
        }
        response["value"].clone()
    }

    /// Loads `url` and waits for the document.
    pub fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})));
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page and returns its value.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Waits until `css` matches an element and returns it; fails with the page's text.
    pub fn wait_for(&self, css: &str, within: Duration) -> Element {
        let deadline = Instant::now() + within;
        loop {
            let found = self.call(
                reqwest::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            );
            if let Some(first) = found.as_array().and_then(|elements| elements.first()) {
                return Element(
                    first[ELEMENT_KEY]
                        .as_str()
                        .expect("an element id")
                        .to_string(),
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "nothing matched {css} within {within:?} on {}; the page shows:\n{}",
                    self.execute("return location.href;", vec![]),
                    self.page_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until `condition` (a script returning a boolean) is true.
    pub fn wait_until(&self, condition: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while self.execute(condition, vec![]) != Value::Bool(true) {
            if Instant::now() > deadline {
                let shot =
                    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("webdriver-timeout.png");
                self.screenshot(&shot);
                panic!(
                    "not true within {within:?} on {}: {condition}\n(screenshot {})\nthe page shows:\n{}",
                    self.execute("return location.href;", vec![]),
                    shot.display(),
                    self.page_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Returns the page's visible text.
    pub fn page_text(&self) -> String {
        self.execute(
            "return document.body ? document.body.innerText : '';",
            vec![],
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Returns the visible text of the first element `css` matches (waiting for it).
    pub fn text(&self, css: &str) -> String {
        let element = self.wait_for(css, Duration::from_secs(30));
        self.call(
            reqwest::Method::GET,
            &format!("/element/{}/text", element.0),
            None,
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Clicks an element.
    pub fn click(&self, css: &str) {
        let element = self.wait_for(css, Duration::from_secs(30));
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/click", element.0),
            None,
        );
    }

    /// Types `text` into an element (for a file input, `text` is the file's path).
    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.wait_for(css, Duration::from_secs(30));
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/value", element.0),
            Some(json!({"text": text})),
        );
    }

    /// Saves a PNG screenshot of the window to `path`.
    pub fn screenshot(&self, path: &Path) {
        let encoded = self.call(reqwest::Method::GET, "/screenshot", None);
        let bytes = decode_base64(encoded.as_str().expect("a base64 screenshot"));
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).expect("create the screenshot folder");
        }
        std::fs::write(path, bytes).expect("write the screenshot");
    }

    /// Returns every URL the page loaded or fetched (navigation and resources).
    pub fn requested_urls(&self) -> Vec<String> {
        let urls = self.execute(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(e => e.name);",
            vec![],
        );
        urls.as_array()
            .map(|urls| {
                urls.iter()
                    .filter_map(|url| url.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .http
            .delete(&self.session_url)
            .timeout(Duration::from_secs(10))
            .send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Decodes standard base64 (the screenshot's encoding).
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |byte: u8| -> Option<u32> {
        match byte {
            b'A'..=b'Z' => Some(u32::from(byte - b'A')),
            b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut bytes = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut group = 0u32;
        for (index, digit) in chunk.iter().enumerate() {
            group |= digit << (18 - 6 * index);
        }
        let produced = chunk.len().saturating_sub(1);
        for index in 0..produced {
            bytes.push((group >> (16 - 8 * index)) as u8);
        }
    }
    bytes
}

#[test]
fn base64_decodes_what_it_should() {
    assert_eq!(decode_base64("aGVsbG8="), b"hello");
    assert_eq!(decode_base64("aGk="), b"hi");
    assert_eq!(decode_base64("YWJj"), b"abc");
}
