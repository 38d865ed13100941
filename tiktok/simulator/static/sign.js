// The page's own request signing, as TikTok's web app signs its item-list calls: the msToken
// cookie goes into the query, and X-Bogus is computed over the query and the token. The simulator
// checks the same function (tiktok/simulator/signing.py); unsigned calls get an empty 200 body.
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function readCookie(name) {
  const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
}

function signedUrl(path, params) {
  const msToken = readCookie("msToken");
  const query = new URLSearchParams({...params, msToken}).toString();
  const bogus = fnv1a(query + "|" + msToken) + fnv1a(msToken + "|" + query);
  return path + "?" + query + "&X-Bogus=" + bogus;
}
