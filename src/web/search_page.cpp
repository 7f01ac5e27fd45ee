// GET /recherche: the search page, server-rendered, facets as plain links
// (docs/search.md).
#include "api/api.h"
#include "domain/cpv.h"
#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/time.h"
#include "web/layout.h"
#include "web/pages.h"

namespace limpide::web {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// /recherche with the current parameters, `name` set to `value` (removed
// when empty) and the page reset.
std::string Href(const Params& params, const std::string& name, const std::string& value) {
  Params next;
  for (const auto& [k, v] : params) {
    if (k != name && k != "page") next.emplace_back(k, v);
  }
  if (!value.empty()) next.emplace_back(name, value);
  return "/recherche" + api::QueryString(next);
}

std::string PageHref(const Params& params, int page) {
  Params next;
  for (const auto& [k, v] : params) {
    if (k != "page") next.emplace_back(k, v);
  }
  if (page > 1) next.emplace_back("page", std::to_string(page));
  return "/recherche" + api::QueryString(next);
}

std::string DepartmentLabel(const std::string& code) {
  const std::string_view name = search::DepartmentName(code);
  return name.empty() ? code : std::string(name) + " (" + code + ")";
}

// The statuses of consultations (search::ConsultationStatuses()) for people.
std::string StatusLabel(const std::string& status) {
  if (status == "open") return "ouverte";
  if (status == "closed") return "clôturée";
  if (status == "awarded") return "attribuée";
  if (status == "cancelled") return "sans suite";
  if (status == "unsuccessful") return "infructueuse";
  return status;
}

const char* FacetTitle(const std::string& name) {
  if (name == "cpv") return "Domaine (CPV)";
  if (name == "department") return "Département";
  if (name == "procedure") return "Procédure";
  return "Acheteur";
}

std::string Value(const Params& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

// Active filters, each with a link that removes it.
std::string ActiveFilters(const Params& params) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"status", "Statut"},
      {"cpv", "CPV"},
      {"department", "Département"},
      {"region", "Région"},
      {"procedure", "Procédure"},
      {"buyer", "Acheteur"},
      {"supplier", "Titulaire"},
      {"nature", "Nature"},
      {"amount_min", "Montant minimum"},
      {"amount_max", "Montant maximum"},
      {"notified_from", "Notifié à partir du"},
      {"notified_to", "Notifié jusqu'au"},
      {"deadline_from", "Date limite à partir du"},
      {"deadline_to", "Date limite jusqu'au"}};
  std::string out;
  for (const auto& [name, label] : kNames) {
    const std::string v = Value(params, name);
    if (v.empty()) continue;
    out += "<li>" + std::string(label) + " : " + Escape(v) + " <a href=\"" +
           Escape(Href(params, name, "")) + "\" aria-label=\"Retirer le filtre " + label +
           "\">retirer</a></li>";
  }
  return out.empty() ? out : "<ul class=\"active-filters\">" + out + "</ul>";
}

std::string Form(const Params& params, const search::SearchQuery& q) {
  std::string f =
      "<form role=\"search\" action=\"/recherche\" method=\"get\">"
      "<label for=\"q\">Mots, \"expression exacte\", préfixe*, -exclu</label>"
      "<fieldset role=\"group\"><input id=\"q\" name=\"q\" type=\"search\" value=\"" +
      Escape(q.text) +
      "\" placeholder=\"ex. : élagage, restauration scolaire, rénovation énergétique\">"
      "<button type=\"submit\">Rechercher</button></fieldset>";
  // The filters chosen so far stay in the form.
  for (const auto& [k, v] : params) {
    if (k == "q" || k == "sort" || k == "type" || k == "region" || k == "page" || v.empty()) {
      continue;
    }
    f += "<input type=\"hidden\" name=\"" + Escape(k) + "\" value=\"" + Escape(v) + "\">";
  }
  const std::string sort = Value(params, "sort");
  auto option = [&](const char* value, const char* label) {
    return std::string("<option value=\"") + value + "\"" + (sort == value ? " selected" : "") +
           ">" + label + "</option>";
  };
  const std::string type = Value(params, "type");
  auto kind = [&](const char* value, const char* label) {
    return std::string("<option value=\"") + value + "\"" + (type == value ? " selected" : "") +
           ">" + label + "</option>";
  };
  f += "<label>Chercher dans <select name=\"type\">" + kind("", "consultations et contrats") +
       kind("consultation", "consultations") + kind("contract", "contrats") + "</select></label>";
  const std::string region = Value(params, "region");
  f += "<label>Région <select name=\"region\"><option value=\"\">toutes</option>";
  for (const auto& code : search::RegionCodes()) {
    f += "<option value=\"" + code + "\"" + (region == code ? " selected" : "") + ">" +
         Escape(search::RegionName(code)) + "</option>";
  }
  f += "</select></label>";
  f += "<label>Trier par <select name=\"sort\">" + option("relevance", "pertinence") +
       option("date", "date de notification ou de publication") + option("amount", "montant") +
       option("deadline", "date limite de dépôt") + "</select></label></form>";
  return f;
}

http::Response SearchPage(search::Index& index, store::Store& store, const http::Request& req) {
  auto query = search::ParseSearchParams(req.query, /*strict=*/false);
  if (!query.ok()) return ErrorPage(query.status());
  auto results = index.Search(*query);
  if (!results.ok()) return ErrorPage(results.status());

  std::string m = "<h1>Recherche</h1>" + Form(req.query, *query) + ActiveFilters(req.query);
  auto size = store.LedgerSize();
  if (size.ok() && results->index_position < *size) {
    m += "<p role=\"note\">L'index de recherche couvre " +
         Count(static_cast<int64_t>(results->index_position)) + " inscriptions du registre sur " +
         Count(static_cast<int64_t>(*size)) +
         " : les contrats publiés en dernier peuvent manquer pendant quelques instants.</p>";
  }
  if (results->plain_words) {
    m += "<p role=\"note\">La syntaxe de la recherche n'a pas pu être lue : elle a été faite sur "
         "les mots seuls.</p>";
  }
  m += "<div class=\"search-layout\"><aside aria-label=\"Affiner\">";
  if (query->type != "contract") {
    // The consultations' statuses as links (a contract has none).
    m += "<nav aria-label=\"Statut des consultations\"><h2>Consultations</h2><ul>";
    for (const auto& status : search::ConsultationStatuses()) {
      m += "<li><a href=\"" + Escape(Href(req.query, "status", status)) + "\">" +
           Escape(StatusLabel(status)) + "</a></li>";
    }
    m += "</ul></nav>";
  }
  for (const auto& facet : results->facets) {
    if (facet.values.empty()) continue;
    m += "<nav aria-label=\"" + std::string(FacetTitle(facet.name)) + "\"><h2>" +
         FacetTitle(facet.name) + "</h2><ul>";
    for (const auto& v : facet.values) {
      m += "<li><a href=\"" + Escape(Href(req.query, facet.name, v.value)) + "\">" +
           Escape(v.label) + "</a> <small>(" + (results->facets_exact ? "" : "≈ ") +
           Count(v.count) + ")</small></li>";
    }
    m += "</ul></nav>";
  }
  if (!results->facets_exact && results->facets_sampled > 0) {
    // What "≈" means: counts scaled from a random sample of the matches
    // (docs/search.md).
    m += "<p><small>≈ : nombres estimés sur les " + Count(results->facets_sampled) +
         " résultats tirés au hasard.</small></p>";
  }
  m += "</aside><section aria-labelledby=\"resultats\"><h2 id=\"resultats\" role=\"status\">" +
       std::string(results->total_exact ? "" : "environ ") + Count(results->total) +
       " résultat(s)</h2>";
  if (results->hits.empty()) m += "<p>Aucun résultat ne correspond.</p>";
  m += "<ol class=\"results\" start=\"" + std::to_string(query->offset + 1) + "\">";
  for (const auto& hit : results->hits) {
    const search::Document& d = hit.document;
    const bool consultation = d.type == "consultation";
    m += std::string("<li><article><h3>") +
         (consultation ? "<small>Consultation · " + Escape(StatusLabel(d.status)) + "</small> "
                       : "") +
         "<a href=\"" + (consultation ? "/consultations/" : "/contrats/") +
         Escape(api::UrlEncode(d.uid)) + "\">" +
         (hit.snippet.empty() ? Escape(d.uid) : hit.snippet) + "</a></h3><p>";
    m += "<a href=\"/organisations/" + Escape(api::UrlEncode(d.buyer_id)) + "\">" +
         Escape(d.buyer_name.empty() ? d.buyer_id : d.buyer_name) + "</a>";
    if (d.deadline) m += " · date limite le " + Escape(domain::FormatInstantParis(*d.deadline));
    if (d.date) m += (consultation ? " · publiée le " : " · notifié le ") + domain::FormatDateFr(*d.date);
    if (d.amount) {
      m += (consultation ? " · estimé à " : " · ") + Escape(domain::FormatEurosFr(*d.amount));
    }
    if (!d.cpv.empty()) {
      const auto* code = domain::CpvTable::Get().Find(d.cpv.substr(0, 8));
      m += " · CPV " + Escape(d.cpv) + (code ? " " + Escape(code->label_fr) : "");
    }
    if (!d.department.empty()) m += " · " + Escape(DepartmentLabel(d.department));
    m += "</p></article></li>";
  }
  m += "</ol>";
  const int page = query->offset / query->limit + 1;
  m += "<nav aria-label=\"Pagination\"><ul>";
  if (page > 1) {
    m += "<li><a href=\"" + Escape(PageHref(req.query, page - 1)) +
         "\" rel=\"prev\">Page précédente</a></li>";
  }
  if (query->offset + query->limit < results->total &&
      query->offset + query->limit <= search::kMaxOffset) {
    m += "<li><a href=\"" + Escape(PageHref(req.query, page + 1)) +
         "\" rel=\"next\">Page suivante</a></li>";
  }
  m += "<li><a href=\"" + Escape("/api/v1/search" + api::QueryString(req.query)) +
       "\">Ces résultats en JSON</a></li></ul></nav></section></div>";
  return Page(200, query->text.empty() ? "Recherche" : "Recherche : " + query->text, m);
}

}  // namespace

void RegisterSearchPage(http::Router& router, search::Index& index, store::Store& store) {
  router.Add("GET", "/recherche",
             [&index, &store](const http::Request& req) { return SearchPage(index, store, req); });
}

}  // namespace limpide::web
