// GET /donnees: the bulk files, in French (docs/bulk.md).
#include <cstdio>
#include <string>

#include "app/bulk.h"
#include "domain/time.h"
#include "web/layout.h"
#include "web/pages.h"

namespace limpide::web {
namespace {

std::string FormatLabel(app::ExportFormat f) {
  switch (f) {
    case app::ExportFormat::kDecpJson:
      return "DECP 2.x (JSON)";
    case app::ExportFormat::kOcdsJsonl:
      return "OCDS 1.1 (JSON Lines, une publication par ligne)";
    case app::ExportFormat::kCsv:
      return "CSV";
    case app::ExportFormat::kDecpXml:
      return "DECP 2.x (XML)";
  }
  return "";
}

// "1,2 Mo", "850 octets".
std::string Size(int64_t bytes) {
  if (bytes < 1000) return Count(bytes) + " octets";
  const double v = bytes >= 1'000'000 ? static_cast<double>(bytes) / 1e6 : static_cast<double>(bytes) / 1e3;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  for (char& c : s) {
    if (c == '.') c = ',';
  }
  return s + (bytes >= 1'000'000 ? " Mo" : " ko");
}

std::string SetTable(const app::BulkSet& set, const std::string& base) {
  std::string html =
      "<table><thead><tr><th scope=\"col\">Fichier</th><th scope=\"col\">Format</th>"
      "<th scope=\"col\">Taille</th><th scope=\"col\">Contrats</th>"
      "<th scope=\"col\">Empreinte SHA-256</th></tr></thead><tbody>";
  for (const auto& f : set.files) {
    const std::string url = base + "/" + f.name;
    html += "<tr><td><a href=\"" + Escape(url) + "\" download>" + Escape(f.name) + "</a></td><td>" +
            Escape(FormatLabel(f.format)) + "</td><td>" + Size(f.size) + "</td><td>" +
            Count(f.records) + (f.skipped ? " (" + Count(f.skipped) + " non représentables)" : "") +
            "</td><td><a href=\"" + Escape(url) + ".sha256\"><code>" + Escape(f.sha256.substr(0, 16)) +
            "…</code></a></td></tr>";
    if (f.gz_sha256.empty()) continue;  // a set cut before the gzip copies
    const std::string gz = url + std::string(app::kGzipSuffix);
    html += "<tr><td><a href=\"" + Escape(gz) + "\" download>" + Escape(f.name) +
            std::string(app::kGzipSuffix) + "</a></td><td>" + Escape(FormatLabel(f.format)) +
            ", compressé (gzip)</td><td>" + Size(f.gz_size) + "</td><td>" + Count(f.records) +
            "</td><td><a href=\"" + Escape(gz) + ".sha256\"><code>" +
            Escape(f.gz_sha256.substr(0, 16)) + "…</code></a></td></tr>";
  }
  html += "</tbody></table>";
  html += "<p><small>Coupé le " + Escape(set.cut_at) + " à l'état du registre de transparence de " +
          Count(static_cast<int64_t>(set.head_size)) + " entrées, racine <code>" +
          Escape(set.head_root) + "</code>.</small></p>";
  return html;
}

http::Response BulkPage(const std::string& bulk_dir) {
  auto index = app::ReadBulkIndex(bulk_dir);
  if (!index.ok()) return ErrorPage(index.status());
  std::string main =
      "<h1>Données ouvertes en masse</h1>"
      "<p>Tous les contrats, sans limite de lignes : un export complet et un fichier par jour "
      "de modification, en DECP 2.x (JSON), OCDS 1.1 (JSON Lines) et CSV. Chaque fichier se "
      "télécharge en une requête, peut être repris (en-tête <code>Range</code>) et a son "
      "empreinte SHA-256 (vérifiable avec <code>sha256sum -c</code>) ; une copie compressée "
      "(<code>.gz</code>, environ dix fois plus petite) a la sienne. La liste lisible par "
      "machine est à <a href=\"/api/v1/bulk\">/api/v1/bulk</a>.</p>";
  main += "<h2>Export complet</h2>";
  if (index->full) {
    main += SetTable(*index->full, "/api/v1/bulk/full");
  } else {
    main += "<p>Pas encore d'export complet : il est produit chaque jour par le serveur.</p>";
  }
  main += "<h2>Fichiers quotidiens</h2>";
  if (index->days.empty()) {
    main += "<p>Aucun jour terminé pour l'instant.</p>";
  }
  // The latest month here; every day is in the JSON index.
  for (size_t i = 0; i < index->days.size() && i < 31; ++i) {
    const app::BulkSet& day = index->days[i];
    auto date = domain::ParseDate(day.day);
    main += "<h3>" + Escape(date.ok() ? domain::FormatDateFr(*date) : day.day) + "</h3>";
    main += SetTable(day, "/api/v1/bulk/daily/" + day.day);
  }
  if (index->days.size() > 31) {
    main += "<p>Les jours plus anciens sont listés dans <a href=\"/api/v1/bulk\">l'index</a>.</p>";
  }
  return Page(200, "Données ouvertes en masse", main);
}

}  // namespace

void RegisterBulkPage(http::Router& router, const std::string& bulk_dir) {
  router.Add("GET", "/donnees", [bulk_dir](const http::Request&) { return BulkPage(bulk_dir); });
}

}  // namespace limpide::web
