// Infinite scroll: loads the page's item list as the reader nears the bottom and renders cards
// with TikTok's display counts ("12.3K"). Configuration comes from <script id="sim-feed">.
const feedConfig = JSON.parse(document.getElementById("sim-feed").textContent);
const feed = document.getElementById("feed");
let cursor = feedConfig.cursor;
let hasMore = true;
let loading = false;

function displayCount(n) {
  const units = [[1e9, "B"], [1e6, "M"], [1e3, "K"]];
  for (const [size, suffix] of units) {
    if (n >= size) return (n / size).toFixed(1).replace(/\.0$/, "") + suffix;
  }
  return String(n);
}

function card(item) {
  const el = document.createElement("div");
  el.className = "video-card";
  el.dataset.e2e = "recommend-list-item-container";
  el.dataset.id = item.id;
  const user = item.author.uniqueId;
  const cover = item.imagePost ? item.imagePost.cover.imageURL.urlList[0] : item.video.cover;
  el.dataset.duration = String((item.video && item.video.duration) || 0);
  el.innerHTML =
    `<a class="video-link" href="/@${user}/video/${item.id}"><img class="cover" alt=""></a>` +
    `<a class="author" href="/@${user}">@${user}</a> <button data-e2e="feed-follow">Follow</button>` +
    `<p class="desc"></p><button data-e2e="like-icon" aria-pressed="false">&#9829;</button>` +
    `<strong data-e2e="like-count">${displayCount(item.stats.diggCount)}</strong> ` +
    `<strong data-e2e="comment-count">${displayCount(item.stats.commentCount)}</strong> ` +
    `<strong data-e2e="share-count">${displayCount(item.stats.shareCount)}</strong>`;
  el.querySelector("img").src = cover;
  el.querySelector(".desc").textContent = item.desc;
  el.querySelector('[data-e2e="like-icon"]').addEventListener("click", (event) =>
    commit(event.currentTarget, `/api/commit/item/digg/?aweme_id=${item.id}&type=1`));
  el.querySelector('[data-e2e="feed-follow"]').addEventListener("click", (event) =>
    commit(event.currentTarget, `/api/commit/follow/user/?user_id=${item.author.id}&type=1`));
  return el;
}

// The heart and follow buttons: a POST of the visitor's own session, then the button shows it.
async function commit(button, url) {
  const response = await fetch(url, {method: "POST", credentials: "same-origin"});
  if (response.ok) button.setAttribute("aria-pressed", "true");
}

// A search's user result: the app's snake_case user_info (the user tab of /search).
function userCard(info) {
  const el = document.createElement("div");
  el.className = "video-card";
  el.innerHTML = `<a class="author" href="/@${info.unique_id}">@${info.unique_id}</a> <p class="desc"></p>`;
  el.querySelector(".desc").textContent = info.nickname;
  return el;
}

// Play reports: the card across the middle of the screen is the one playing. When another takes
// its place, or the page is left, the page reports how long it played, as TikTok's page reports
// plays; the For-You feed learns from them.
let playing = null;
let playingSince = 0;

function cardAtMiddle() {
  const middle = window.innerHeight / 2;
  for (const el of feed.children) {
    const box = el.getBoundingClientRect();
    if (box.top <= middle && box.bottom > middle) return el;
  }
  return null;
}

function reportPlay() {
  if (!playing) return;
  const playMs = Math.round(performance.now() - playingSince);
  const duration = Number(playing.dataset.duration) * 1000;
  const report = {item_id: playing.dataset.id, play_ms: playMs, finished: duration > 0 && playMs >= duration};
  navigator.sendBeacon("/api/report/watch/", new Blob([JSON.stringify(report)], {type: "application/json"}));
}

function followPlaying() {
  const now = cardAtMiddle();
  if (now === playing) return;
  reportPlay();
  playing = now;
  playingSince = performance.now();
}

async function loadMore() {
  if (loading || !hasMore) return;
  loading = true;
  try {
    const params = {...feedConfig.params, count: String(feedConfig.count), browser_language: navigator.language,
                    tz_name: Intl.DateTimeFormat().resolvedOptions().timeZone};
    if (cursor !== null) params[feedConfig.cursorParam || "cursor"] = String(cursor);
    const response = await fetch(signedUrl(feedConfig.endpoint, params), {credentials: "same-origin"});
    const text = await response.text();
    if (!response.ok || !text) return;  // an empty body: try again on the next scroll
    const data = JSON.parse(text);
    // Item lists say itemList; search answers item_list, data[] (type 1: a video) or user_list.
    const found = data.itemList || data.item_list || (data.data || []).filter((d) => d.type === 1).map((d) => d.item);
    for (const item of found) feed.appendChild(card(item));
    for (const entry of data.user_list || []) feed.appendChild(userCard(entry.user_info));
    hasMore = Boolean(data.hasMore ?? data.has_more);
    if (cursor !== null) cursor = data.cursor;
    document.body.dataset.loaded = String(feed.children.length);
    followPlaying();
  } catch (error) {
    console.log("feed load failed", error);
  } finally {
    loading = false;
  }
}

window.addEventListener("scroll", () => {
  followPlaying();
  if (window.innerHeight + window.scrollY >= document.body.offsetHeight - 800) loadMore();
});
window.addEventListener("pagehide", reportPlay);
// Real pages load the web app as async bundles (see the web_html samples) and keep fetching after
// the load event; so the first list call waits for `load` here, and the list and its covers come
// after it. TikTok-Api takes its session headers from the first request after `load` (issue 12).
if (document.readyState === "complete") loadMore();
else window.addEventListener("load", () => loadMore());
