// The public page: search awards, show one with its programme, link the export.
// Plain browser JavaScript, no build step. Text from the API is only ever set as
// textContent, never as HTML.
"use strict";

const BASE = document.querySelector('meta[name="api-base"]').content;
const PUBLIC_TIMELINESS =
  document.querySelector('meta[name="public-timeliness"]').content === "true";
const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

// Chinese labels: served from chalicelib/domain/labels_zh.py (labels.js), never copied here.
const ROLES = LABELS.ROLE_ZH;
const CATEGORIES = LABELS.CATEGORY_ZH;
const CYCLES = LABELS.CYCLE_ZH;
const RELATIONS = LABELS.RELATION_ZH;
const PROGRAM_STATES = LABELS.PROGRAM_STATUS_ZH;
const TIMELINESS = LABELS.TIMELINESS_ZH;
const VALIDITY = LABELS.VALIDITY_ZH;

const authorities = new Map(); // id -> name_zh
const programs = new Map(); // id -> Promise of the programme (or null)
let nextQuery = null; // the list query of the next page, with its cursor
let searched = false;
let generation = 0; // answers to an older search are dropped
let inFlight = null; // the AbortController of the search in flight

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(path, signal) {
  const response = await fetch(BASE + path, { headers: { Accept: "application/json" }, signal });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error((body && body.error && body.error.message) || response.statusText);
    error.status = response.status;
    error.code = body && body.error && body.error.code;
    error.field = body && body.error && body.error.field;
    error.messageZh = body && body.error && body.error.message_zh;
    throw error;
  }
  return body;
}

const chinaTime = formatTime; // one date style (common.js)

function fold(text) {
  return text.normalize("NFKC").replace(/\s+/g, "").toUpperCase();
}

function authorityName(id) {
  return authorities.get(id) || id;
}

function program(id) {
  if (!programs.has(id)) {
    programs.set(
      id,
      api("/v1/programs/" + encodeURIComponent(id)).catch(() => null),
    );
  }
  return programs.get(id);
}

function printUrl(code) {
  return BASE + "/v1/verify/print?credit_code=" + encodeURIComponent(code);
}

function receiptUrl(code) {
  return BASE + "/v1/verify/receipt?credit_code=" + encodeURIComponent(code);
}

// The printable answer and its signed receipt, offered together wherever one is.
function printLinks(code) {
  return el(
    "span",
    { class: "print-links" },
    el("a", { href: printUrl(code), class: "print" }, "打印核验单"),
    " · ",
    el("a", { href: receiptUrl(code), class: "receipt", download: code + ".jws" }, "下载回执"),
  );
}

// Whether the award stands is the server's one rule (award.validity); the page shows it first,
// in the same place on every card and on the award's page: 有效 / 已撤销 / 奖项已撤销设立.
function validityBadge(award) {
  const kind = { revoked: "revoked", program_withdrawn: "withdrawn" }[award.validity] || "valid";
  return el("span", { class: "badge validity " + kind }, VALIDITY[award.validity] || award.validity);
}

function withdrawalText(award) {
  const d = award.validity_detail || {};
  let text = "撤销生效日期：" + (formatDate(d.effective_on) || "—") + "；原因：" + (d.reason || "—");
  if (d.granted_before_withdrawal === true) text += "；获奖时该奖项尚未撤销设立（历史获奖记录）";
  if (d.granted_before_withdrawal === false) text += "；获奖日期在撤销生效之后";
  return text;
}

function placeName(project) {
  const l = project.location; // names from the server's GB/T 2260 data (domain/places.py)
  if (!l || !l.name) return project.location_code || "";
  return l.name + "（" + l.code + "）";
}

// ---- search -----------------------------------------------------------------

function searchQuery() {
  const params = new URLSearchParams();
  const q = fold($("q").value);
  if (CREDIT_CODE.test(q)) {
    params.set("credit_code", q);
  } else if (q.length === 1) {
    throw new Error("请至少输入 2 个字（企业名称或项目名称的任意部分），或 18 位统一社会信用代码。");
  } else if (q.length > 50) {
    throw new Error("请输入不超过 50 个字。");
  } else if (q.length >= 2) {
    params.set("q", $("q").value.trim());
    params.set("sort", $("sort").value);
  }
  if ($("authority").value) params.set("authority_id", $("authority").value);
  if ($("year").value) params.set("year", $("year").value);
  if ($("include-revoked").checked) params.set("include_revoked", "true");
  params.set("limit", "20");
  return params;
}

// The page's own words for what went wrong (common.js), never a code or the API's English.
function explain(error) {
  if (error.field === "credit_code") return "统一社会信用代码有误，请核对这 18 位代码。";
  if (error.field === "q" && error.status === 400) {
    return "请输入 2 至 50 个字（企业名称或项目名称的任意部分）。";
  }
  if (error.status === 404) return "没有找到该获奖信息，请检查链接是否完整。";
  if (!error.status) return NETWORK_TEXT;
  return errorText({ status: error.status, code: error.code, field: error.field, message_zh: error.messageZh });
}

function awardItem(award, highlight) {
  const revoked = award.validity === "revoked";
  const withdrawn = award.validity === "program_withdrawn";
  const programName = el("span", { class: "program" }, award.program_id);
  program(award.program_id).then((p) => {
    if (p) programName.textContent = p.name;
  });
  const winners = award.winners.map((w) =>
    el(
      "span",
      { class: highlight && highlight(w) ? "winner match" : "winner" },
      w.name,
      "（" + (ROLES[w.role] || w.role) + "）",
    ),
  );
  return el(
    "li",
    {
      class: "award" + (revoked ? " revoked" : "") + (withdrawn ? " withdrawn" : ""),
      "data-award-id": award.id,
      "data-validity": award.validity,
    },
    el(
      "h3",
      null,
      validityBadge(award),
      el("a", { href: "#/award/" + encodeURIComponent(award.id) }, award.project.name),
    ),
    withdrawn && el("p", { class: "withdrawn-note" }, withdrawalText(award)),
    el("p", { class: "meta" }, programName, " · ", award.honor, " · ", award.year + " 年度"),
    el("p", { class: "winners" }, winners),
    el(
      "p",
      { class: "meta" },
      "公布日期 " + formatDate(award.awarded_on) + " · " + authorityName(award.authority_id),
      award.project.location && " · " + placeName(award.project),
    ),
  );
}

function highlighter(params) {
  if (params.has("credit_code")) {
    const code = params.get("credit_code");
    return (w) => w.credit_code === code;
  }
  if (params.has("q")) {
    const fragment = fold(params.get("q"));
    return (w) => fold(w.name).includes(fragment);
  }
  return null;
}

// A name search answers how many match (``total``; a lower bound once it passed its read
// limit, shown as "200+"); the other lists say how many are shown so far.
function countText(page, shown) {
  if (typeof page.total === "number") {
    return "共 " + page.total + (page.total_is_lower_bound ? "+" : "") + " 条，已显示 " + shown + " 条";
  }
  return "共显示 " + shown + " 条";
}

// ---- enterprise summary (a credit-code search) ------------------------------------

const SUMMARY_PAGES = 10; // up to 1,000 awards; the printout says the same

// The printout's QR code carries its signed receipt's id after "#" (never sent to the
// server): offer the receipt file and its check beside the live answer.
function printedReceipt() {
  const match = location.hash.match(/^#receipt=(rcp_[0-9A-Za-z]+)$/);
  if (!match) return null;
  return el(
    "p",
    { class: "note", id: "printed-receipt" },
    "核验单电子回执 ",
    el("code", null, match[1]),
    "：",
    el("a", { href: BASE + "/v1/verify/receipts/" + match[1] }, "下载回执"),
    " · ",
    el("a", { href: BASE + "/verify/check" }, "核对签名"),
  );
}

async function showSummary(code, mine) {
  const box = $("summary");
  box.hidden = true;
  const awards = [];
  let cursor = null;
  try {
    for (let n = 0; n < SUMMARY_PAGES; n++) {
      const query = "credit_code=" + encodeURIComponent(code) + "&limit=100" +
        (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      const page = await api("/v1/verify?" + query);
      awards.push(...page.awards, ...page.revoked);
      cursor = page.next_cursor;
      if (!cursor) break;
    }
  } catch {
    return; // the list below still answers; the summary is an extra
  }
  if (mine !== generation) return;
  const names = [];
  awards
    .slice()
    .sort((a, b) => (a.submitted_at < b.submitted_at ? 1 : -1))
    .forEach((a) => a.winners.forEach((w) => {
      if (w.credit_code === code && !names.includes(w.name)) names.push(w.name);
    }));
  const count = (v) => awards.filter((a) => a.validity === v).length;
  const parts = [
    el("h2", null, names[0] || "未查询到该企业的获奖信息"),
    names.length > 1 && el("p", { class: "note" }, "曾用名称：", names.slice(1).join("、")),
    el("p", { class: "meta" }, "统一社会信用代码 ", el("span", { class: "code" }, code)),
    el(
      "ul",
      { class: "counts" },
      el("li", { class: "valid", id: "count-valid" }, "有效 ", el("strong", null, String(count("valid"))), " 项"),
      el("li", { class: "withdrawn", id: "count-withdrawn" }, "奖项已撤销设立 ", el("strong", null, String(count("program_withdrawn"))), " 项"),
      el("li", { class: "revoked", id: "count-revoked" }, "已撤销 ", el("strong", null, String(count("revoked"))), " 项"),
    ),
    cursor && el("p", { class: "note" }, "记录较多，以上为前 " + awards.length + " 项的统计。"),
    el("p", { class: "print-hint" }, printLinks(code)),
    printedReceipt(),
    // issue 23: a wrong or missing award of this enterprise (objection.html)
    el("p", { class: "objection-link" },
      el("a", { href: BASE + "/objection?credit_code=" + encodeURIComponent(code), id: "object-enterprise" },
        "对此信息有异议"),
      "　",
      el("a", { href: BASE + "/objection/lookup" }, "查询异议")),
  ];
  box.replaceChildren(...parts.filter(Boolean));
  box.hidden = false;
}

// A name search: the enterprises whose names matched, each with its printable answer and
// receipt; one enterprise gets the full summary a credit-code search gets.
function showMatches(fragment, items, mine) {
  if (mine !== generation) return;
  const wanted = fold(fragment);
  const found = new Map();
  items.forEach((award) => award.winners.forEach((w) => {
    if (fold(w.name).includes(wanted) && !found.has(w.credit_code)) found.set(w.credit_code, w.name);
  }));
  if (found.size === 1) {
    showSummary(found.keys().next().value, mine);
    return;
  }
  if (!found.size) return;
  const box = $("summary");
  const shown = Array.from(found).slice(0, 10);
  box.replaceChildren(
    el("h2", null, "名称匹配的企业"),
    el("ul", { class: "matches" }, shown.map(([code, name]) => el(
      "li",
      null,
      el("a", { href: "?credit_code=" + encodeURIComponent(code) }, name),
      " ",
      el("span", { class: "code" }, code),
      " ",
      printLinks(code),
    ))),
    found.size > shown.length && el("p", { class: "note" }, "仅列出前 10 家，请输入更完整的名称。"),
  );
  box.hidden = false;
}

// A newer search supersedes the one in flight: its request is aborted and, should its
// answer still arrive, dropped (generation), so a slow older answer never shows.
function supersede() {
  if (inFlight) inFlight.abort();
  inFlight = null;
  return ++generation;
}

async function runSearch(params, append) {
  const mine = supersede();
  const request = (inFlight = new AbortController());
  if (!append) {
    $("summary").hidden = true; // shown again only for this search's answer
    if (params.has("credit_code")) showSummary(params.get("credit_code"), mine);
  }
  $("status").textContent = "正在查询…";
  $("results").setAttribute("aria-busy", "true"); // what is shown is not this search's yet
  $("more").hidden = true;
  try {
    const page = await api("/v1/awards?" + params.toString(), request.signal);
    if (mine !== generation) return;
    if (!append) $("results").replaceChildren();
    const highlight = highlighter(params);
    for (const award of page.items) $("results").append(awardItem(award, highlight));
    const shown = $("results").children.length;
    $("status").textContent = shown ? countText(page, shown) : "未找到符合条件的获奖信息。";
    if (!append && params.has("q")) showMatches(params.get("q"), page.items, mine);
    if (page.next_cursor) {
      nextQuery = new URLSearchParams(params);
      nextQuery.set("cursor", page.next_cursor);
      $("more").hidden = false;
    } else {
      nextQuery = null;
    }
  } catch (error) {
    if (mine !== generation) return;
    if (!append) {
      $("results").replaceChildren();
      $("summary").hidden = true; // no enterprise, no printout, for a search that failed
    }
    $("status").textContent = explain(error);
  } finally {
    if (mine === generation) {
      inFlight = null;
      $("results").setAttribute("aria-busy", "false");
    }
  }
}

// ---- one award ---------------------------------------------------------------

function facts(pairs) {
  return el(
    "dl",
    { class: "facts" },
    pairs
      .filter(([, value]) => value !== undefined && value !== null && value !== "")
      .map(([label, value]) => [el("dt", null, label), el("dd", null, value)]),
  );
}

function programSection(p) {
  if (!p) return el("p", { class: "note" }, "奖项信息暂不可查。");
  const approval = p.approval || {};
  return el(
    "section",
    { class: "program-detail" },
    el("h3", null, "所属奖项：", p.name),
    facts([
      ["组织单位", p.organizer + "（住房城乡建设部门" + (RELATIONS[p.authority_relation] || "") + "）"],
      ["评选周期", CYCLES[p.cycle] || p.cycle],
      ["奖项类别", (p.categories || []).map((c) => CATEGORIES[c] || c).join("、")],
      ["设立批准", [approval.issuer, approval.document_number, formatDate(approval.approved_on)].filter(Boolean).join(" ")],
      ["奖项状态", PROGRAM_STATES[p.status] || p.status],
      ["报送单位", authorityName(p.authority_id)],
    ]),
  );
}

// One row per winner on a wide screen, one card per winner on a phone (style.css): every
// cell names its column. A column nobody fills (项目负责人 is never public) is left out.
function winnersTable(award) {
  const columns = [
    ["获奖单位", (w) => w.name, null],
    ["统一社会信用代码", (w) => w.credit_code, "code"],
    ["角色", (w) => ROLES[w.role] || w.role, null],
  ];
  if (award.winners.some((w) => w.project_manager)) {
    columns.push(["项目负责人", (w) => w.project_manager || "", null]);
  }
  columns.push(["核验", (w) => printLinks(w.credit_code), "links"]);
  return el(
    "table",
    { class: "winners-table" },
    el("thead", null, el("tr", null, columns.map(([h]) => el("th", { scope: "col" }, h)))),
    el(
      "tbody",
      null,
      award.winners.map((w) =>
        el("tr", null, columns.map(([h, value, cls]) => el("td", { class: cls, "data-label": h }, value(w)))),
      ),
    ),
  );
}

async function showAward(id) {
  $("search-view").hidden = true;
  $("detail-view").hidden = false;
  const box = $("detail");
  box.replaceChildren(el("p", null, "正在加载…"));
  let award;
  try {
    award = await api("/v1/awards/" + encodeURIComponent(id));
  } catch (error) {
    box.replaceChildren(el("p", null, explain(error)));
    return;
  }
  const revoked = award.validity === "revoked";
  const parts = [
    el("h2", null, validityBadge(award), award.project.name),
  ];
  if (award.validity === "program_withdrawn") {
    const d = award.validity_detail || {};
    parts.push(
      el(
        "div",
        { class: "withdrawn-notice", role: "note" },
        el("strong", null, "所属奖项已撤销设立，该获奖信息不作为有效获奖信息"),
        el("p", null, "撤销原因：", d.reason || "—"),
        el("p", null, "撤销生效日期：", formatDate(d.effective_on) || "—"),
        d.granted_before_withdrawal === true &&
          el("p", null, "获奖时该奖项尚未撤销设立（历史获奖记录）"),
        d.granted_before_withdrawal === false && el("p", null, "获奖日期在撤销生效之后"),
      ),
    );
  }
  if (revoked) {
    parts.push(
      el(
        "div",
        { class: "revoked-notice", role: "note" },
        el("strong", null, "该获奖信息已撤销"),
        el("p", null, "撤销原因：", award.revoked_reason || ""),
        award.revoked_document_number && el("p", null, "撤销文号：", award.revoked_document_number),
        el("p", null, "撤销时间：", chinaTime(award.revoked_at)),
      ),
    );
  }
  parts.push(
    facts([
      ["获奖等次", award.honor],
      ["年度", award.year],
      ["公布日期", formatDate(award.awarded_on)],
      ["公布文号", award.announcement_number],
      [
        "公布文件",
        award.announcement_url &&
          el("a", { href: award.announcement_url, rel: "noopener noreferrer" }, award.announcement_url),
      ],
      ["工程类别", CATEGORIES[award.project.category] || award.project.category],
      ["项目编号", award.project.code],
      ["项目所在地", award.project.location_code && placeName(award.project)],
      ["报送单位", authorityName(award.authority_id)],
      ["报送时间", chinaTime(award.submitted_at)],
      ["记录编号", el("span", null, el("code", null, award.id), "（第 " + award.version + " 版）")],
    ]),
    el("h3", null, "获奖单位"),
    winnersTable(award),
    // issue 23: an enterprise disputes this record (objection.html)
    el("p", { class: "objection-link" },
      el("a", { href: BASE + "/objection?award_id=" + encodeURIComponent(award.id), id: "object-award" },
        "对此信息有异议"),
      "　",
      el("a", { href: BASE + "/objection/lookup" }, "查询异议")),
  );
  const programBox = el("div", null, el("p", null, "正在加载奖项信息…"));
  parts.push(programBox);
  box.replaceChildren(...parts);
  programBox.replaceChildren(programSection(await program(award.program_id)));
}

function route() {
  const match = location.hash.match(/^#\/award\/(.+)$/);
  if (match) {
    showAward(decodeURIComponent(match[1]));
    return;
  }
  $("detail-view").hidden = true;
  $("search-view").hidden = false;
  if (!searched) {
    searched = true;
    // A link or the printout's QR code (/?credit_code=…) opens that enterprise's answer.
    const linked = new URLSearchParams(location.search).get("credit_code");
    if (linked) $("q").value = linked;
    try {
      runSearch(searchQuery(), false); // the linked enterprise, else the newest awards
    } catch (error) {
      $("status").textContent = error.message;
    }
  }
}

// ---- export link and timeliness table ----------------------------------------

const EXPORT_FILES = {
  "awards.csv": "获奖信息 CSV",
  "awards.jsonl.gz": "获奖信息 JSON（逐行）",
  "programs.jsonl.gz": "奖项目录 JSON（逐行）",
};

function exportLinks(manifest) {
  const links = [];
  const named = (f) => f && f.name && /^https?:\/\//.test(f.url);
  if (Array.isArray(manifest.files) && manifest.files.every(named)) {
    // GET /v1/exports/latest: named files, then the manifest with their SHA-256
    for (const file of manifest.files) {
      links.push(el("a", { href: file.url, rel: "noopener" }, EXPORT_FILES[file.name] || file.name));
    }
    if (manifest.manifest_url) {
      links.push(el("a", { href: manifest.manifest_url, rel: "noopener" }, "清单（含 SHA-256）"));
    }
    return links.flatMap((link, i) => (i ? [" · ", link] : [link]));
  }
  const walk = (value, key) => {
    if (typeof value === "string" && /^(https?:\/\/|\/)/.test(value)) {
      let label = key;
      if (/\.csv/i.test(value)) label = "CSV";
      else if (/\.jsonl/i.test(value)) label = "JSON（逐行）";
      links.push(el("a", { href: value, rel: "noopener" }, label));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, Array.isArray(value) ? key : k);
    }
  };
  walk(manifest, "");
  if (!links.length) links.push(el("a", { href: BASE + "/v1/exports/latest" }, "导出清单"));
  return links.flatMap((link, i) => (i ? [" · ", link] : [link]));
}

async function showExport() {
  let manifest;
  try {
    manifest = await api("/v1/exports/latest");
  } catch {
    return; // no export yet (or not built here): no link
  }
  $("export-links").replaceChildren(...exportLinks(manifest));
  const when = manifest.generated_at || manifest.created_at || manifest.date;
  if (when) $("export-info").textContent = "（生成于 " + (when.length > 10 ? chinaTime(when) : when) + "）";
  $("export").hidden = false;
}

const TIMELINESS_COLUMNS = [
  [["pushes", "total", "count", "pushed"], "报送条数"],
  [["on_time", "on_time_count"], TIMELINESS.on_time],
  [["late", "late_count"], TIMELINESS.late],
  [["pending", "pending_count"], TIMELINESS.pending],
  [["on_time_rate", "on_time_ratio"], "按时率"],
  [["median_working_days_late", "median_days_late"], "逾期工作日中位数"],
];

function cell(value, label) {
  if (typeof value === "number" && label === "按时率") {
    return (value <= 1 ? value * 100 : value).toFixed(1) + "%";
  }
  return value === null || value === undefined ? "—" : String(value);
}

async function showTimeliness() {
  const section = $("timeliness");
  if (!PUBLIC_TIMELINESS) {
    section.remove(); // not public in this deployment: not on the page at all
    return;
  }
  let body;
  try {
    body = await api("/v1/timeliness");
  } catch {
    return;
  }
  const rows = Array.isArray(body) ? body : body.items || body.authorities || [];
  const columns = TIMELINESS_COLUMNS.map(([keys, label]) => [
    keys.find((k) => rows.some((r) => k in r)),
    label,
  ]).filter(([key]) => key);
  $("timeliness-table").replaceChildren(
    el("thead", null, el("tr", null, el("th", null, "地区/部门"), columns.map(([, label]) => el("th", null, label)))),
    el(
      "tbody",
      null,
      rows.map((r) =>
        el(
          "tr",
          null,
          el("td", null, authorityName(r.authority_id)),
          columns.map(([key, label]) => el("td", null, cell(r[key], label))),
        ),
      ),
    ),
  );
  section.hidden = false;
}

// ---- start -------------------------------------------------------------------

async function loadAuthorities() {
  const body = await api("/v1/authorities");
  for (const a of body.items) {
    authorities.set(a.id, a.name_zh);
    $("authority").append(el("option", { value: a.id }, a.name_zh));
  }
}

function fillYears() {
  const thisYear = Number(new Date().toLocaleString("en-US", { timeZone: LABELS.CHINA_TZ, year: "numeric" }));
  for (let year = thisYear; year >= 2018; year--) {
    $("year").append(el("option", { value: String(year) }, year + " 年度"));
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  fillYears();
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    searched = true;
    if (location.hash) history.pushState(null, "", location.pathname + location.search);
    route();
    try {
      runSearch(searchQuery(), false);
    } catch (error) {
      supersede();
      $("results").setAttribute("aria-busy", "false");
      $("results").replaceChildren();
      $("status").textContent = error.message;
    }
  });
  $("more").addEventListener("click", () => nextQuery && runSearch(nextQuery, true));
  $("back").addEventListener("click", (event) => {
    event.preventDefault();
    location.hash = "";
  });
  window.addEventListener("hashchange", route);
  showExport();
  try {
    await loadAuthorities();
  } catch {
    $("status").textContent = "地区列表加载失败，请刷新重试。";
  }
  showTimeliness(); // after the authorities: its rows are named by them
  route();
});
