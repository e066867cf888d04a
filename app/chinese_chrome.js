// Chinese for the English Streamlit writes itself (labels for screen readers, tooltips, hints,
// dialogs): a fixed table of its strings, applied to text and to aria-label / title / placeholder as
// the page draws them. Installed once per page load by app/web.py; document content is never touched
// (only whole strings from the table, or the patterns below, are replaced).
(() => {
  const host = window.parent === window ? window : window.parent;
  if (host.__dangjianChinese) return;
  host.__dangjianChinese = true;
  const exact = {
    "Sidebar": "侧边栏",
    "Collapse sidebar": "收起侧边栏",
    "Expand sidebar": "展开侧边栏",
    "App pages": "页面",
    "Link to heading": "标题链接",
    "Send message": "发送",
    "Open": "展开",
    "Close": "关闭",
    "Dismiss": "关闭",
    "Show/hide columns": "显示或隐藏列",
    "Download as CSV": "下载为 CSV",
    "Search": "搜索",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "file upload": "上传文件",
    "Choose date": "选择日期",
    "Clear value": "清除",
    "Clear all": "全部清除",
    "Remove": "移除",
    "Upload": "选择文件",
    "Show password": "显示密码",
    "Hide password": "隐藏密码",
    "Copy to clipboard": "复制",
    "Skip to main content": "跳到正文",
    "No results": "没有匹配的选项",
    "Press Enter to apply": "按回车键确认",
    "Press Ctrl+Enter to apply": "按 Ctrl+回车 确认",
    "Press ⌘+Enter to apply": "按 ⌘+回车 确认",
    "Press Enter to submit form": "按回车键提交",
    "Page not found": "找不到这一页",
    "The page that you have requested does not seem to exist. Running the app's main page.":
      "所要打开的页面不存在，已转到首页。",
  };
  const months = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  const patterns = [
    [/^(\d+) options? available\.$/, (_, n) => `共 ${n} 个选项。`],
    [/^Help for\s*(.*)$/, (_, what) => (what ? `“${what}”的说明` : "说明")],
    [/^(\d+)MB per file$/, (_, n) => `每个文件不超过 ${n} MB`],
    [/^(year|month|day), (.+)$/, (_, part, what) => `${{ year: "年", month: "月", day: "日" }[part]}，${what}`],
    [/^Selected Date: (\w+) (\d+), (\d+)$/,
      (_, m, d, y) => `已选日期：${y}年${months.indexOf(m) + 1}月${d}日`],
  ];
  const chinese = (value) => {
    const text = value.trim();
    if (exact[text]) return value.replace(text, exact[text]);
    for (const [pattern, to] of patterns) {
      if (pattern.test(text)) return value.replace(text, text.replace(pattern, to));
    }
    return null;
  };
  const ATTRIBUTES = ["aria-label", "title", "placeholder"];
  const mend = (root) => {
    if (root.nodeType === Node.TEXT_NODE) {
      const to = chinese(root.nodeValue);
      if (to !== null) root.nodeValue = to;
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    for (const element of [root, ...root.querySelectorAll("*")]) {
      for (const name of ATTRIBUTES) {
        const value = element.getAttribute(name);
        const to = value === null ? null : chinese(value);
        if (to !== null) element.setAttribute(name, to);
      }
    }
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const to = chinese(node.nodeValue);
      if (to !== null) node.nodeValue = to;
    }
  };
  const page = host.document;
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "attributes" || change.type === "characterData") mend(change.target);
      for (const node of change.addedNodes) mend(node);
    }
  }).observe(page.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES,
  });
  mend(page.body);
})();
