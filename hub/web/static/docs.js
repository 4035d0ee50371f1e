// Starts Swagger UI on /docs from the bundled files (no CDN, no inline script).
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") { return; }
  window.SwaggerUIBundle({
    url: node.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset].filter(Boolean),
    layout: "BaseLayout"
  });
}());
