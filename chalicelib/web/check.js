// Checks a verification receipt (compact JWS, ES256) in the browser with WebCrypto against the
// registry's published keys (JWKS). Nothing is sent anywhere: only the JWKS is fetched, and a
// copy is kept in localStorage so a check also works when the registry is unreachable.
"use strict";

const BASE = document.querySelector('meta[name="api-base"]').content;
const JWKS_URL = BASE + "/.well-known/jwks.json";
const CACHE_KEY = "award-registry-jwks";
const $ = (id) => document.getElementById(id);

// Labels served from domain/labels_zh.py (labels.js), dates in the one style (common.js).
const ROLES = LABELS.ROLE_ZH;
const PROGRAM_STATES = LABELS.PROGRAM_STATUS_ZH;
const VALIDITY = LABELS.VALIDITY_ZH;

function b64urlBytes(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("含有回执中不会出现的字符");
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const binary = atob(padded);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function b64urlJson(text) {
  return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(b64urlBytes(text)));
}

async function jwks(fromFile) {
  if (fromFile) return { set: JSON.parse(await fromFile.text()), source: "选择的公钥文件" };
  try {
    const response = await fetch(JWKS_URL, { headers: { Accept: "application/json" }, cache: "no-cache" });
    if (!response.ok) throw new Error(String(response.status));
    const text = await response.text();
    const set = JSON.parse(text);
    try { localStorage.setItem(CACHE_KEY, text); } catch (e) { /* storage may be off */ }
    return { set, source: "平台公布的公钥（" + JWKS_URL + "）" };
  } catch (error) {
    const cached = localStorage.getItem(CACHE_KEY);
    if (cached) return { set: JSON.parse(cached), source: "本机保存的公钥副本（未能连接平台）" };
    throw new Error("无法取得平台公钥，请选择公钥文件后重试");
  }
}

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function fingerprint(hex) {
  return hex.slice(0, 32).toUpperCase().match(/.{4}/g).join(" ");
}

// Returns {valid, reason?, header?, payload?}.
async function verify(compact, keySet) {
  const parts = compact.split(".");
  if (parts.length !== 3) return { valid: false, reason: "格式不对：回执应由两个“.”分成三段" };
  let header, payload;
  try {
    header = b64urlJson(parts[0]);
    payload = b64urlJson(parts[1]);
  } catch (error) {
    return { valid: false, reason: "内容无法解析，请确认选择的是平台签发的回执文件" };
  }
  if (header.alg !== "ES256") return { valid: false, reason: "签名算法不是平台使用的算法" };
  const jwk = (keySet.keys || []).find((key) => key.kid === header.kid);
  if (!jwk) return { valid: false, reason: "平台公布的公钥中没有该回执的签名密钥（" + header.kid + "）" };
  let key, signature;
  try {
    key = await crypto.subtle.importKey(
      "jwk", { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, ext: true },
      { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    signature = b64urlBytes(parts[2]);
  } catch (error) {
    return { valid: false, reason: "公钥或签名无法读取，请确认公钥文件与回执完整" };
  }
  if (signature.length !== 64) return { valid: false, reason: "签名长度不对" };
  const data = new TextEncoder().encode(parts[0] + "." + parts[1]);
  const ok = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, data);
  return ok ? { valid: true, header, payload } : { valid: false, reason: "签名与内容不符：回执已被改动或并非本平台签发" };
}

function chinaTime(seconds) {
  return formatTime(new Date(seconds * 1000)) + "（北京时间）";
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  row.appendChild(td);
}

function showContent(result, compactHex) {
  const p = result.payload;
  $("receipt-id").textContent = p.receipt_id || p.jti || "";
  $("fingerprint").textContent = fingerprint(compactHex);
  $("issued-at").textContent = chinaTime(p.iat);
  $("credit-code").textContent = p.credit_code || "";
  $("enterprise-names").textContent = (p.enterprise_names || []).join("；") || "—";
  const awards = p.awards || [];
  const valid = awards.filter((a) => a.validity === "valid").length;
  let summary = awards.length ? "共 " + awards.length + " 项获奖信息，其中有效 " + valid + " 项" : "未查询到获奖信息";
  if (p.truncated) summary += "（记录较多，回执仅列出部分）";
  $("summary").textContent = summary;
  $("kid").textContent = result.header.kid;
  const table = $("awards");
  table.textContent = "";
  if (awards.length) {
    const head = table.createTHead().insertRow();
    for (const title of ["序号", "状态", "奖项及等次", "批准设立文号", "年度", "工程项目", "企业角色", "公布日期", "报送单位", "记录编号及版本"]) {
      const th = document.createElement("th");
      th.textContent = title;
      head.appendChild(th);
    }
    const body = table.createTBody();
    awards.forEach((a, index) => {
      const row = body.insertRow();
      row.className = a.validity === "valid" ? "valid" : "invalid";
      cell(row, index + 1);
      let status = VALIDITY[a.validity] || a.validity;
      const programState = (a.program || {}).status;
      if (a.validity === "valid" && programState && programState !== "approved") {
        status += "（奖项状态：" + (PROGRAM_STATES[programState] || programState) + "）";
      }
      cell(row, status);
      cell(row, ((a.program || {}).name || "") + " " + (a.honor || ""));
      cell(row, (a.program || {}).approval_document_number);
      cell(row, a.year);
      cell(row, a.project_name);
      cell(row, ROLES[a.enterprise_role] || a.enterprise_role);
      cell(row, formatDate(a.awarded_on) + (a.announcement_number ? " " + a.announcement_number : ""));
      cell(row, (a.authority || {}).name);
      cell(row, a.id + " 第 " + a.version + " 版");
      row.lastChild.className = "code"; // a record id: data, not words
    });
  }
  $("content").hidden = false;
}

async function check(event) {
  event.preventDefault();
  $("content").hidden = true;
  $("verdict").className = "";
  $("verdict").textContent = "正在核对…";
  $("key-source").textContent = "";
  try {
    const file = $("receipt-file").files[0];
    const compact = (file ? await file.text() : $("receipt-text").value).trim();
    if (!compact) throw new Error("请选择回执文件或粘贴回执内容");
    const keys = await jwks($("jwks-file").files[0]);
    $("key-source").textContent = "所用公钥：" + keys.source;
    const result = await verify(compact, keys.set);
    if (result.valid) {
      $("verdict").className = "valid";
      $("verdict").textContent = "✔ 签名有效：该回执由平台签发，内容未被改动。";
      showContent(result, await sha256Hex(compact));
    } else {
      $("verdict").className = "invalid";
      $("verdict").textContent = "✘ 签名无效：" + result.reason;
    }
  } catch (error) {
    $("verdict").className = "invalid";
    // our own messages are Chinese; a browser's (a file it could not read …) is not shown
    const ours = /[\u4e00-\u9fff]/.test(error.message) ? error.message : "文件无法读取，请重新选择";
    $("verdict").textContent = "✘ 无法核对：" + ours;
  }
}

$("check-form").addEventListener("submit", check);
