/* WeChat share card (wenming/core/share.py): inside WeChat only, sign this page, load WeChat's
   jweixin from res.wx.qq.com (WeChat requires that origin) and set the card the page declares. */
(function () {
  "use strict";
  if (!/MicroMessenger/i.test(navigator.userAgent)) return;
  var card = document.getElementById("wx-share");
  if (!card || !window.fetch) return;
  var data = card.dataset;
  var url = location.href.split("#")[0];
  fetch(data.config + "?url=" + encodeURIComponent(url), {credentials: "same-origin"})
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (config) {
      if (!config || !config.signature) return;
      var script = document.createElement("script");
      script.src = data.jssdk;
      script.onload = function () {
        var wx = window.wx;
        if (!wx) return;
        wx.config({debug: false, appId: config.appId, timestamp: config.timestamp, nonceStr: config.nonceStr,
                   signature: config.signature, jsApiList: ["updateAppMessageShareData", "updateTimelineShareData"]});
        wx.ready(function () {
          var share = {title: data.title, desc: data.desc, link: data.link || url, imgUrl: data.img};
          wx.updateAppMessageShareData(share);
          wx.updateTimelineShareData({title: data.title, link: share.link, imgUrl: data.img});
        });
      };
      document.head.appendChild(script);
    })
    .catch(function () { /* no card: sharing still works with WeChat's default */ });
})();
