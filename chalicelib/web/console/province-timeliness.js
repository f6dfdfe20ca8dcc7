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
      summary.replaceChildren(
        el("p", {}, `截至最近一次稽核（${t.as_of || "尚未稽核"}）：共推送 ${t.pushes} 条，按时 ${t.on_time} 条，`
          + `迟报 ${t.late} 条（其中认定合理 ${t.excused} 条），待定 ${t.pending} 条；按时率 ${rate}。`),
      );
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
    el("span", { class: "hint" }, `（${finding.opened_on} 起`
      + (finding.detail && finding.detail.source_id ? `，本省编号 ${finding.detail.source_id}` : "")
      + "）"),
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
  const advice = (award) => {
    if (award.timeliness.status === "pending") {
      return "按临时工作日历计为迟报；国务院公布该年节假日安排后自动重新判定，无需处理。";
    }
    if (award.timeliness.excused) return "管理员已认定为合理迟报，无需处理。";
    return "稽核将其列为“获奖信息晚报”。如有正当理由，请通过下方“意见反馈”说明，由管理员认定；今后请在公布后 10 个工作日内推送。";
  };
  $("#tl-table tbody").replaceChildren(...flagged.map((award) => el("tr", {},
    el("td", {}, award.project.name),
    el("td", {}, award.awarded_on),
    el("td", {}, award.deadline),
    el("td", {}, formatTime(award.submitted_at)),
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
    `${report.period_from} 至 ${report.period_to}：${report.note}`,
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
    await api("POST", "/v1/zero-reports", { body });
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
    await api("POST", "/v1/feedback", { body });
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
