/* 及时性: a province's section of the console (loaded after console.js, whose helpers it
 * uses): its timeliness, open audit findings, late pushes, zero reports and feedback. */
"use strict";

async function loadTimeliness() {
  const authority = ownAuthority();
  const summary = $("#tl-summary");
  if (authority) {
    try {
      const t = (await api("GET", `/v1/timeliness/${authority}`)).data;
      const rate = t.on_time_rate === null || t.on_time_rate === undefined
        ? "—" : `${(t.on_time_rate * 100).toFixed(1)}%`;
      summary.replaceChildren(t.as_of
        ? el("p", {}, `截至${auditRunDate(t.as_of)}的稽核：共推送 ${t.pushes} 条，按时 ${t.on_time} 条，`
          + `迟报 ${t.late} 条（其中认定合理 ${t.excused} 条），待定 ${t.pending} 条；按时率 ${rate}。`)
        : el("p", {}, "平台尚未对本省运行稽核，暂无统计；下表按当前记录列出逾期与待定的获奖信息。"));
    } catch (exc) {
      summary.replaceChildren(el("p", {}, exc.message));
    }
  } else {
    summary.replaceChildren(el("p", {}, "管理员：下表列出所有省份逾期与待定的获奖信息。"));
  }
  const findings = authority
    ? (await api("GET", `/v1/timeliness/${authority}/findings`)).data.items : [];
  $("#tl-findings").replaceChildren(...findings.map((finding) => el("li", { class: "card" },
    el("strong", {}, FINDING_KIND_ZH[finding.kind] || finding.kind),
    el("span", { class: "hint" }, `（${formatDate(finding.opened_on)}起`,
      ...(finding.detail && finding.detail.source_id
        ? ["，本省编号 ", el("code", {}, finding.detail.source_id)] : []),
      "）"),
    el("p", {}, `处理办法：${finding.action.zh}`),
  )));
  $("#tl-findings-empty").hidden = findings.length > 0;
  const flagged = [];
  let cursor = null;
  let pages = 0;
  do {
    const page = (await api("GET", "/v1/awards" + query({
      authority_id: authority, limit: 100, cursor,
    }))).data;
    flagged.push(...page.items.filter((a) => a.timeliness.status !== "on_time"));
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && pages < 20);
  // the same words as the audit's findings (labels.js ADVICE_ZH, domain/labels_zh.py)
  const advice = (award) => {
    if (award.timeliness.status === "pending") return LABELS.ADVICE_ZH.pending;
    if (award.timeliness.excused) return LABELS.ADVICE_ZH.excused;
    return `稽核将其列为“获奖信息晚报”。${LABELS.ADVICE_ZH.excuse}`;
  };
  $("#tl-table tbody").replaceChildren(...flagged.map((award) => el("tr", {},
    el("td", {}, award.project.name),
    el("td", {}, timeElement(award.awarded_on)),
    el("td", {}, timeElement(award.deadline)),
    el("td", {}, timeElement(award.submitted_at, "time")),
    el("td", {}, el("span", { class: `badge t-${award.timeliness.status}` }, timelinessText(award))),
    el("td", {}, advice(award)),
  )));
  labelCells($("#tl-table"));
  $("#tl-empty").hidden = flagged.length > 0;
  await loadZeroReports();
  if (authority) await loadMyFeedback();
}

async function loadZeroReports() {
  const page = (await api("GET", "/v1/zero-reports" + query({
    authority_id: ownAuthority(), limit: 50,
  }))).data;
  $("#zero-list").replaceChildren(...page.items.map((report) => el("li", {},
    `${formatDate(report.period_from)}至${formatDate(report.period_to)}：${report.note}`,
    el("span", { class: "hint" }, `（报送于 ${formatTime(report.created_at)}）`),
  )));
}

async function sendZeroReport(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = {
    period_from: form.elements.period_from.value,
    period_to: form.elements.period_to.value,
    note: form.elements.note.value.trim(),
  };
  try {
    await busy($("button[type=submit]", form), "正在报送…", () => api("POST", "/v1/zero-reports", { body }));
    form.reset();
    await loadZeroReports();
    notice("零报告已报送。");
  } catch (exc) {
    showError(form, exc);
  }
}

async function sendFeedback(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = { subject: form.elements.subject.value.trim(), body: form.elements.body.value.trim() };
  try {
    await busy($("button[type=submit]", form), "正在提交…", () => api("POST", "/v1/feedback", { body }));
    form.reset();
    notice("意见已提交，感谢反馈。");
    await loadMyFeedback();
  } catch (exc) {
    showError(form, exc);
  }
}

/* The province's own feedback, newest first. A page may be short (the list reads a bounded
 * number of items): follow next_cursor until a page's worth is found. */
async function loadMyFeedback() {
  const items = [];
  let cursor = null;
  let pages = 0;
  do {
    const page = (await api("GET", "/v1/feedback" + query({ limit: PAGE_SIZE, cursor }))).data;
    items.push(...page.items);
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && items.length < PAGE_SIZE && pages < 10);
  $("#feedback-mine").replaceChildren(
    ...items.map((item) => feedbackCard(item, `提交于 ${formatTime(item.created_at)}`)),
  );
  $("#feedback-mine-empty").hidden = items.length > 0;
}

LOADERS.timeliness = loadTimeliness;

document.addEventListener("DOMContentLoaded", () => {
  $("#zero-form").addEventListener("submit", sendZeroReport);
  $("#feedback-form").addEventListener("submit", sendFeedback);
});
