// Recording page: say what the player is doing while a long recording loads after the person presses play
// (opening the page fetches nothing of the video: preload="none").
(function () {
  "use strict";
  const player = document.getElementById("player"), status = document.getElementById("video-status");
  if (!player || !status) return;
  const say = (text) => { status.textContent = text || ""; status.hidden = !text; };
  const loading = () => { if (player.readyState < 3) say(status.dataset.loading); };
  ["play", "waiting", "seeking"].forEach((e) => player.addEventListener(e, loading));
  ["canplay", "playing", "seeked"].forEach((e) => player.addEventListener(e, () => say("")));
  player.addEventListener("error", () => say(status.dataset.failed));
}());
