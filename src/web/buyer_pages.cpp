// The buyer's pages of the procedure (docs/tenders.md, "Web pages"): the
// dashboard of its consultations by state, the draft form, publication (the
// opening key shown once), DCE documents, answers, amendments, the history,
// and after the deadline opening, scoring, award and signature. Every page
// calls app::Procedures as the API does; refusals are the service's, shown
// in French (tender_view.h). Every post carries the session's CSRF token.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <tuple>

#include "api/api.h"
#include "crypto/crypto.h"
#include "domain/consultation.h"
#include "domain/procedure.h"
#include "domain/time.h"
#include "web/form_rows.h"
#include "web/forms.h"
#include "web/layout.h"
#include "web/pages.h"
#include "web/tender_view.h"

namespace limpide::web {
namespace {

using app::Principal;
using app::UserRole;
using nlohmann::json;

constexpr int kDashboardPage = 50;

std::string ManageHref(const std::string& id) {
  return "/acheteur/consultations/" + api::UrlEncode(id);
}

// The id of the input of a JSON field: "criteria[1].weight" → "champ-criteria-1-weight".
std::string InputId(std::string_view field) {
  std::string id = "champ-";
  for (char c : field) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (keep) {
      id += c;
    } else if (id.back() != '-') {
      id += '-';
    }
  }
  while (id.back() == '-') id.pop_back();
  return id;
}

// Errors of a form: JSON field name → French or service message.
using FormErrors = std::vector<std::pair<std::string, std::string>>;

// The French name of a field, for the error summary: "criteria[1].weight" →
// "Critère 2 : pondération".
std::string FieldLabel(const std::string& field) {
  static const std::map<std::string, std::string> names = {
      {"title", "Titre"},
      {"reference", "Référence"},
      {"description", "Description"},
      {"procedure", "Procédure"},
      {"nature", "Nature"},
      {"cpv", "Code CPV principal"},
      {"place", "Lieu d'exécution"},
      {"place.code", "Lieu d'exécution : code"},
      {"place.type", "Lieu d'exécution : type de code"},
      {"estimatedValue", "Valeur estimée"},
      {"lots", "Lots"},
      {"criteria", "Critères d'attribution"},
      {"deadline", "Date limite de remise des offres"},
      {"questionsDeadline", "Date limite des questions"},
      {"maxDocumentMiB", "Taille maximale d'un document"},
      {"summary", "Résumé de la modification"},
      {"document", "Document"},
      {"secret_key", "Clé privée d'ouverture"},
      {"amount", "Montant du marché"},
      {"duration_months", "Durée"},
      {"sans-suite_reason", "Motif de la déclaration sans suite"},
      {"sans-suite_confirm", "Confirmation de la déclaration sans suite"},
      {"infructueuse_reason", "Motif de la déclaration d'infructuosité"},
      {"infructueuse_confirm", "Confirmation de la déclaration d'infructuosité"},
  };
  if (auto it = names.find(field); it != names.end()) return it->second;
  for (const auto& [list, one, parts] :
       {std::tuple{"lots[", "Lot ", "title:intitulé,cpv:code CPV,estimatedValue:valeur estimée"},
        std::tuple{"criteria[", "Critère ", "name:nom,weight:pondération"}}) {
    if (!field.starts_with(list)) continue;
    const size_t close = field.find(']');
    int n = 0;
    auto [p, ec] = std::from_chars(field.data() + std::strlen(list), field.data() + close, n);
    if (ec != std::errc() || close == std::string::npos) break;
    std::string label = one + std::to_string(n + 1);
    const std::string member = close + 2 <= field.size() ? field.substr(close + 2) : "";
    const std::string known(parts);
    if (const size_t at = known.find(member + ":"); !member.empty() && at != std::string::npos) {
      const size_t end = known.find(',', at);
      label += " : " + known.substr(at + member.size() + 1, end == std::string::npos
                                                                ? std::string::npos
                                                                : end - at - member.size() - 1);
    }
    (void)p;
    return label;
  }
  return field;
}

// "lot 3" → "Lot 3", "critère 2" → "Critère 2" (ASCII first letters).
std::string Capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string ErrorSummary(const FormErrors& errors) {
  if (errors.empty()) return {};
  std::string h =
      "<article role=\"alert\" aria-labelledby=\"erreurs-titre\" id=\"erreurs\" "
      "tabindex=\"-1\"><h2 id=\"erreurs-titre\">Le formulaire contient " +
      std::to_string(errors.size()) + " erreur" + (errors.size() > 1 ? "s" : "") + "</h2><ul>";
  for (const auto& [field, message] : errors) {
    h += "<li><a href=\"#" + InputId(field) + "\">" + Escape(FieldLabel(field)) + " : " +
         Escape(message) + "</a></li>";
  }
  return h + "</ul></article>";
}

// The error of `field` (or of its prefix, for a whole list), or nullptr.
const std::string* ErrorOf(const FormErrors& errors, const std::string& field) {
  for (const auto& [f, m] : errors)
    if (f == field) return &m;
  return nullptr;
}

// An <input> with its label and, when the field has an error, the message
// beside it (aria-invalid, aria-describedby).
std::string Input(const std::string& field, const std::string& label, const std::string& value,
                  const FormErrors& errors, const std::string& attributes = "type=\"text\"",
                  const std::string& hint = "") {
  const std::string id = InputId(field);
  std::string h = "<label for=\"" + id + "\">" + label + "</label>";
  std::string describedby;
  if (!hint.empty()) describedby = id + "-aide";
  const std::string* error = ErrorOf(errors, field);
  if (error) describedby += (describedby.empty() ? "" : " ") + id + "-erreur";
  h += "<input id=\"" + id + "\" name=\"" + Escape(field) + "\" " + attributes + " value=\"" +
       Escape(value) + "\"" + (error ? " aria-invalid=\"true\"" : "") +
       (describedby.empty() ? "" : " aria-describedby=\"" + describedby + "\"") + ">";
  if (!hint.empty()) h += "<small id=\"" + id + "-aide\">" + hint + "</small>";
  if (error) h += "<small id=\"" + id + "-erreur\" class=\"erreur\">" + Escape(*error) + "</small>";
  return h;
}

std::string Select(const std::string& field, const std::string& label,
                   const std::vector<std::pair<std::string, std::string>>& options,
                   const std::string& selected, const FormErrors& errors) {
  const std::string id = InputId(field);
  const std::string* error = ErrorOf(errors, field);
  std::string h = "<label for=\"" + id + "\">" + label + "</label><select id=\"" + id +
                  "\" name=\"" + Escape(field) + "\"" +
                  (error ? " aria-invalid=\"true\" aria-describedby=\"" + id + "-erreur\"" : "") +
                  ">";
  for (const auto& [value, text] : options) {
    h += "<option value=\"" + Escape(value) + "\"" + (value == selected ? " selected" : "") + ">" +
         Escape(text) + "</option>";
  }
  h += "</select>";
  if (error) h += "<small id=\"" + id + "-erreur\" class=\"erreur\">" + Escape(*error) + "</small>";
  return h;
}

// A number of a JSON value for a form field ("" when absent).
std::string NumberText(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return {};
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  std::string s = it->dump();
  return s;
}

// The consultation JSON a buyer posts, from the draft form's values
// (PostedValues: rows compact); `errors` gets what the form itself cannot
// turn into JSON (dates, integers).
json DraftJson(const Values& v, FormErrors& errors) {
  json c = json::object();
  const auto text = [&](const std::string& name) {
    auto it = v.find(name);
    return it == v.end() ? std::string() : it->second;
  };
  for (const char* key : {"reference", "title", "description", "cpv"})
    if (!text(key).empty()) c[key] = text(key);
  c["procedure"] = text("procedure");
  c["nature"] = text("nature");
  if (!text("place.code").empty() || !text("place.type").empty())
    c["place"] = {{"code", text("place.code")}, {"type", text("place.type")}};
  if (!text("estimatedValue").empty()) c["estimatedValue"] = text("estimatedValue");
  const auto integer = [&](const std::string& field, int64_t& out) {
    const std::string s = text(field);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || p != s.data() + s.size()) {
      errors.push_back({field, "Saisissez un nombre entier."});
      return false;
    }
    return true;
  };
  json lots = json::array();
  for (int i = 0, n = RowCount(v, kLots); i < n; ++i) {
    const std::string p = "lots[" + std::to_string(i) + "].";
    if (text(p + "title").empty() && text(p + "cpv").empty() && text(p + "estimatedValue").empty())
      continue;
    json lot = {{"number", static_cast<int>(lots.size()) + 1}, {"title", text(p + "title")}};
    if (!text(p + "cpv").empty()) lot["cpv"] = text(p + "cpv");
    if (!text(p + "estimatedValue").empty()) lot["estimatedValue"] = text(p + "estimatedValue");
    lots.push_back(std::move(lot));
  }
  c["lots"] = std::move(lots);
  json criteria = json::array();
  for (int i = 0, n = RowCount(v, kCriteria); i < n; ++i) {
    const std::string p = "criteria[" + std::to_string(i) + "].";
    if (text(p + "name").empty() && text(p + "weight").empty()) continue;
    int64_t weight = 0;
    if (!integer(p + "weight", weight)) continue;
    criteria.push_back({{"name", text(p + "name")}, {"weight", weight}});
  }
  c["criteria"] = std::move(criteria);
  if (!text("maxDocumentMiB").empty()) {
    int64_t mib = 0;
    if (integer("maxDocumentMiB", mib)) {
      if (mib < 1 || mib > (int64_t{1} << 20))
        errors.push_back({"maxDocumentMiB", "Saisissez un nombre de Mio de 1 à 1 048 576."});
      else
        c["maxDocumentBytes"] = mib << 20;
    }
  }
  for (const char* key : {"deadline", "questionsDeadline"}) {
    if (text(key).empty()) continue;
    auto t = ParisLocalToInstant(text(key), key);
    if (!t.ok()) {
      errors.push_back({key, "Date et heure attendues (jj/mm/aaaa hh:mm)."});
      continue;
    }
    c[key] = domain::FormatInstantMillis(*t);
  }
  if (text("test") == "1") c["test"] = true;
  return c;
}

// The form's values of a stored consultation (public form), the inverse of DraftJson.
Values FormValues(const json& c) {
  Values v;
  for (const char* key : {"reference", "title", "description", "cpv"}) v[key] = Str(c, key);
  v["procedure"] = Str(c.value("procedure", json::object()), "code");
  v["nature"] = Str(c.value("nature", json::object()), "code");
  const json place = c.value("place", json::object());
  v["place.code"] = Str(place, "code");
  v["place.type"] = Str(place, "type");
  v["estimatedValue"] = NumberText(c, "estimatedValue");
  const json& lots = c.value("lots", json::array());
  for (size_t i = 0; i < lots.size(); ++i) {
    const std::string p = "lots[" + std::to_string(i) + "].";
    v[p + "title"] = Str(lots[i], "title");
    v[p + "cpv"] = Str(lots[i], "cpv");
    v[p + "estimatedValue"] = NumberText(lots[i], "estimatedValue");
  }
  const json& criteria = c.value("criteria", json::array());
  for (size_t i = 0; i < criteria.size(); ++i) {
    const std::string p = "criteria[" + std::to_string(i) + "].";
    v[p + "name"] = Str(criteria[i], "name");
    v[p + "weight"] = NumberText(criteria[i], "weight");
  }
  if (auto it = c.find("maxDocumentBytes"); it != c.end() && it->is_number_integer())
    v["maxDocumentMiB"] = std::to_string(it->get<int64_t>() >> 20);
  for (const char* key : {"deadline", "questionsDeadline"}) {
    auto t = domain::ParseInstant(Str(c, key));
    if (t.ok()) v[key] = InstantToParisLocal(*t);
  }
  if (c.value("test", false)) v["test"] = "1";
  return v;
}

// The draft form (creation, edition, amendment): `action` is where it posts.
std::string DraftForm(const http::Request& req, const std::string& action,
                      const std::map<std::string, std::string>& v, const FormErrors& errors,
                      const std::string& submit, bool amendment) {
  const auto val = [&](const std::string& k) {
    auto it = v.find(k);
    return it == v.end() ? std::string() : it->second;
  };
  std::string h = "<form method=\"post\" action=\"" + Escape(action) + "\" novalidate>";
  h += CsrfInput(req);
  // The first submit button is the one Enter presses: saving, not a row button.
  h += "<button type=\"submit\" class=\"sr-only\" tabindex=\"-1\" aria-hidden=\"true\">" +
       submit + "</button>";
  h += "<fieldset><legend>La consultation</legend>";
  h += Input("title", "Titre (objet du marché)", val("title"), errors, "type=\"text\" required");
  h += Input("reference", "Référence interne", val("reference"), errors);
  {
    const std::string id = InputId("description");
    h += "<label for=\"" + id + "\">Description</label><textarea id=\"" + id +
         "\" name=\"description\" rows=\"3\">" + Escape(val("description")) + "</textarea>";
  }
  std::vector<std::pair<std::string, std::string>> procedures, natures;
  for (auto p : domain::AllProcedures())
    procedures.push_back({std::string(domain::Code(p)), std::string(domain::Label(p))});
  for (auto n : domain::AllNatures())
    natures.push_back({std::string(domain::Code(n)), std::string(domain::Label(n))});
  h += Select("procedure", "Procédure", procedures,
              val("procedure").empty() ? "procedure_adaptee" : val("procedure"), errors);
  h +=
      Select("nature", "Nature", natures, val("nature").empty() ? "marche" : val("nature"), errors);
  h += Input("cpv", "Code CPV principal", val("cpv"), errors, "type=\"text\"",
             "Par exemple 45000000-7 (CPV 2008).");
  h += Input("place.code", "Lieu d'exécution : code", val("place.code"), errors, "type=\"text\"",
             "Par exemple 35 pour l'Ille-et-Vilaine.");
  h += Select("place.type", "Lieu d'exécution : type de code",
              {{"", "—"},
               {"Code postal", "Code postal"},
               {"Code commune", "Code commune"},
               {"Code arrondissement", "Code arrondissement"},
               {"Code canton", "Code canton"},
               {"Code département", "Code département"},
               {"Code région", "Code région"},
               {"Code pays", "Code pays"}},
              val("place.type"), errors);
  h += Input("estimatedValue", "Valeur estimée (euros HT)", val("estimatedValue"), errors,
             "type=\"text\" inputmode=\"decimal\"");
  h += "</fieldset>";

  // Rows of lots and criteria, each with a button that removes it, and a
  // button that adds one: submit buttons, so that no script is needed (the
  // server shows the form again with what was typed; PostedValues).
  const auto rows = [&](const RowList& list, const std::string& legend, const std::string& one,
                        const std::string& add_label, const auto& inputs) {
    const std::string id = InputId(list.list);
    std::string f = "<fieldset id=\"" + id + "\"><legend>" + legend + "</legend>";
    if (const std::string* e = ErrorOf(errors, list.list))
      f += "<p class=\"erreur\" id=\"" + id + "-erreur\">" + Escape(*e) + "</p>";
    const int n = std::max(1, RowCount(v, list));
    for (int i = 0; i < n; ++i) {
      const std::string p = std::string(list.list) + "[" + std::to_string(i) + "].";
      const std::string label = one + " " + std::to_string(i + 1);
      f += "<div class=\"grid ligne\">" + inputs(p, label) +
           "<div><button type=\"submit\" class=\"secondary outline\" name=\"retirer\" "
           "value=\"" +
           std::string(list.list) + "-" + std::to_string(i) + "\" formnovalidate>Retirer <span "
           "class=\"sr-only\">le " + Escape(label) + "</span></button></div></div>";
    }
    f += "<button type=\"submit\" class=\"secondary\" name=\"ajouter\" value=\"" +
         std::string(list.list) + "\" formnovalidate>" + add_label + "</button></fieldset>";
    return f;
  };
  h += rows(kLots, "Lots (laisser vide pour un marché en un seul lot ; " +
                       std::to_string(domain::kMaxLots) + " au plus)",
            "lot", "Ajouter un lot", [&](const std::string& p, const std::string& label) {
              return "<div>" + Input(p + "title", Capitalized(label) + " : intitulé",
                                     val(p + "title"), errors) +
                     "</div><div>" +
                     Input(p + "cpv", Capitalized(label) + " : code CPV", val(p + "cpv"), errors) +
                     "</div><div>" +
                     Input(p + "estimatedValue", Capitalized(label) + " : valeur estimée (€ HT)",
                           val(p + "estimatedValue"), errors,
                           "type=\"text\" inputmode=\"decimal\"") +
                     "</div>";
            });
  h += rows(kCriteria, "Critères d'attribution (pondérations en %, total 100 ; " +
                           std::to_string(domain::kMaxCriteria) + " au plus)",
            "critère", "Ajouter un critère", [&](const std::string& p, const std::string& label) {
              return "<div>" + Input(p + "name", Capitalized(label) + " : nom", val(p + "name"),
                                     errors) +
                     "</div><div>" +
                     Input(p + "weight", Capitalized(label) + " : pondération (%)",
                           val(p + "weight"), errors,
                           "type=\"number\" min=\"1\" max=\"100\" step=\"1\"") +
                     "</div>";
            });

  h += "<fieldset><legend>Dates et dépôt</legend>";
  h += Input("deadline", "Date limite de remise des offres (heure de Paris)", val("deadline"),
             errors, "type=\"datetime-local\" step=\"1\" required",
             "Les délais minimaux de la procédure choisie sont vérifiés à la publication.");
  h += Input("questionsDeadline", "Date limite des questions (facultative)",
             val("questionsDeadline"), errors, "type=\"datetime-local\" step=\"1\"");
  h += Input("maxDocumentMiB", "Taille maximale d'un document déposé (Mio)", val("maxDocumentMiB"),
             errors, "type=\"number\" min=\"1\" step=\"1\"", "Publiée avec la consultation.");
  if (!amendment) {
    h += "<label><input type=\"checkbox\" name=\"test\" value=\"1\"" +
         std::string(val("test") == "1" ? " checked" : "") +
         "> Consultation de test (les entreprises peuvent y simuler un dépôt ; jamais publiée "
         "dans les données ouvertes)</label>";
  }
  h += "</fieldset>";
  if (amendment) {
    h += Input("summary", "Résumé de la modification (publié)", val("summary"), errors,
               "type=\"text\"", "Sans résumé, la liste des champs modifiés est publiée.");
  }
  h += "<button type=\"submit\">" + submit + "</button></form>";
  return h;
}

// The consultation when it is of the buyer's organization.
Result<json> OwnTender(app::Procedures& procedures, const Principal& buyer, const std::string& id) {
  auto t = procedures.Get(&buyer, id);
  if (!t.ok()) return t.status();
  if (Str(t->value("buyer", json::object()), "id") != buyer.org_id)
    return Status(ErrorCode::kPermissionDenied, "this consultation belongs to another buyer");
  return t;
}

// ---- Dashboard ----

http::Response Dashboard(app::Procedures& procedures, const app::Accounts& accounts,
                         const http::Request& req) {
  auto who = RequireRole(req, accounts, UserRole::kBuyerAgent);
  if (auto* page = std::get_if<http::Response>(&who)) return std::move(*page);
  const Principal& buyer = std::get<Principal>(who);
  // Own consultations, newest first, a page at a time (read through the
  // store's index of organizations, not by scanning every consultation).
  const std::string after = req.Query("apres") ? *req.Query("apres") : std::string();
  auto list = procedures.BuyerTenders(buyer, {after, kDashboardPage});
  if (!list.ok()) return RefusedPage(list.status(), "/acheteur");
  std::string m = "<hgroup><h1>Mes consultations (acheteur)</h1><p>" + Escape(buyer.org_name) +
                  "</p></hgroup><p><a role=\"button\" href=\"/acheteur/consultations/nouvelle\">"
                  "Nouvelle consultation</a></p>";
  const json& items = (*list)["items"];
  if (items.empty() && after.empty()) m += "<p>Aucune consultation pour l'instant.</p>";
  if (!items.empty()) {
    m += "<div class=\"overflow-auto\"><table class=\"striped\"><caption>Vos consultations, de "
         "la plus récente à la plus ancienne</caption><thead><tr><th scope=\"col\">Objet</th>"
         "<th scope=\"col\">Référence</th><th scope=\"col\">État</th><th scope=\"col\">Date "
         "limite</th></tr></thead><tbody>";
    for (const auto& t : items) {
      m += "<tr><td><a href=\"" + Escape(ManageHref(Str(t, "id"))) + "\">" +
           Escape(Str(t, "title")) + "</a>" +
           (t.value("test", false) ? " <mark>test</mark>" : "") + "</td><td>" +
           Escape(Str(t, "reference")) + "</td><td>" + Label(t, "state") + "</td><td>" +
           ParisTime(t, "deadline") + "</td></tr>";
    }
    m += "</tbody></table></div>";
  }
  m += PagerLinks("/acheteur", after, (*list)["next"]);
  return NoStore(Page(200, "Mes consultations (acheteur)", m));
}

http::Response NewDraftPage(const app::Accounts& accounts, const http::Request& req,
                            const std::map<std::string, std::string>& values,
                            const FormErrors& errors) {
  auto who = RequireRole(req, accounts, UserRole::kBuyerAgent);
  if (auto* page = std::get_if<http::Response>(&who)) return std::move(*page);
  std::string m =
      "<nav aria-label=\"Fil d'Ariane\"><ul><li><a href=\"/acheteur\">Mes "
      "consultations</a></li><li>Nouvelle consultation</li></ul></nav>"
      "<h1>Nouvelle consultation</h1>";
  m += ErrorSummary(errors);
  m += DraftForm(req, "/acheteur/consultations", values, errors, "Enregistrer le brouillon", false);
  return NoStore(Page(errors.empty() ? 200 : 400, "Nouvelle consultation", m));
}

// ---- The management page of one consultation ----

std::string EventLabel(const std::string& kind) {
  static const std::map<std::string, std::string> labels = {
      {"draft.created", "Brouillon créé"},
      {"draft.updated", "Brouillon modifié"},
      {"tender.published", "Publiée"},
      {"tender.amended", "Modifiée (avis rectificatif)"},
      {"document.added", "Document ajouté au dossier"},
      {"document.downloaded", "Dossier téléchargé"},
      {"question.asked", "Question posée"},
      {"question.answered", "Réponse publiée"},
      {"deposit.started", "Dépôt commencé"},
      {"deposit.received", "Dépôt reçu"},
      {"deposit.withdrawn", "Dépôt retiré"},
      {"tender.closed", "Clôturée (date limite)"},
      {"bids.opened", "Plis ouverts"},
      {"bids.evaluated", "Offres évaluées"},
      {"tender.awarded", "Attribuée"},
      {"contract.signed", "Marché signé"},
      {"tender.cancelled", "Déclarée sans suite"},
      {"tender.unsuccessful", "Déclarée infructueuse"},
  };
  auto it = labels.find(kind);
  return it == labels.end() ? kind : it->second;
}

std::string CriteriaNames(const json& c) {
  std::string s;
  for (const auto& k : c.value("criteria", json::array()))
    s += (s.empty() ? "" : ", ") + Escape(Str(k, "name")) + " (" +
         std::to_string(k.value("weight", 0)) + "&nbsp;%)";
  return s;
}

// The end of a procedure: how it ended, or the forms that end it where the
// state machine allows (docs/procedure.md: sans suite from the draft to the
// standstill, infructueuse once the bids are opened and before the award).
// Each asks for the published reason and a confirmation; the service decides,
// and a refusal (409) is its page.
std::string EndSections(const http::Request& req, const json& c, const std::string& state,
                        const std::string& base, const FormErrors& errors,
                        const std::map<std::string, std::string>* posted) {
  std::string m;
  if (state == "cancelled" || state == "unsuccessful") {
    m += "<section aria-labelledby=\"fin\"><h2 id=\"fin\">" +
         std::string(state == "cancelled" ? "Procédure déclarée sans suite"
                                          : "Procédure déclarée infructueuse") +
         "</h2><p>Le " + ParisTime(c, "endedAt") + " (heure de Paris). Motif publié : <q>" +
         Escape(Str(c, "end_reason")) + "</q></p></section>";
    return m;
  }
  const auto posted_value = [&](const std::string& k) {
    if (!posted) return std::string();
    auto it = posted->find(k);
    return it == posted->end() ? std::string() : it->second;
  };
  const auto form = [&](const std::string& id, const std::string& title, const std::string& path,
                        const std::string& explanation, const std::string& confirm,
                        const std::string& button) {
    const std::string reason_field = id + "_reason";
    const std::string confirm_field = id + "_confirm";
    std::string f = "<section aria-labelledby=\"" + id + "\"><h2 id=\"" + id + "\">" + title +
                    "</h2><p>" + explanation + "</p><form method=\"post\" action=\"" +
                    Escape(base) + path + "\">" + CsrfInput(req);
    const std::string rid = InputId(reason_field);
    const std::string* rerr = ErrorOf(errors, reason_field);
    f += "<label for=\"" + rid + "\">Motif (publié avec la décision)</label><textarea id=\"" + rid +
         "\" name=\"motif\" rows=\"3\" required" +
         (rerr ? " aria-invalid=\"true\" aria-describedby=\"" + rid + "-erreur\"" : "") + ">" +
         Escape(posted_value("motif")) + "</textarea>";
    if (rerr) f += "<small id=\"" + rid + "-erreur\" class=\"erreur\">" + Escape(*rerr) + "</small>";
    const std::string cid = InputId(confirm_field);
    const std::string* cerr = ErrorOf(errors, confirm_field);
    f += "<label for=\"" + cid + "\"><input type=\"checkbox\" id=\"" + cid +
         "\" name=\"confirmation\" value=\"1\" required" +
         (cerr ? " aria-invalid=\"true\" aria-describedby=\"" + cid + "-erreur\"" : "") + "> " +
         confirm + "</label>";
    if (cerr) f += "<small id=\"" + cid + "-erreur\" class=\"erreur\">" + Escape(*cerr) + "</small>";
    f += "<button type=\"submit\" class=\"contrast\">" + button + "</button></form></section>";
    return f;
  };
  static const std::set<std::string> cancellable = {"draft",     "published", "closed",
                                                    "opened",    "evaluated", "awarded",
                                                    "standstill"};
  if (state == "opened" || state == "evaluated") {
    m += form("infructueuse", "Déclarer la procédure infructueuse", "/infructueuse",
              "Aucune offre n'est acceptable (CCP art. R2185-1) : la procédure prend fin, chaque "
              "entreprise qui a déposé en est informée et la décision est publiée.",
              "Je confirme : la procédure prend fin, ce qui ne peut pas être annulé.",
              "Déclarer infructueuse");
  }
  if (cancellable.count(state)) {
    m += form("sans-suite", "Déclarer la procédure sans suite", "/sans-suite",
              "L'acheteur renonce à la procédure pour un motif d'intérêt général (CCP art. "
              "R2185-1), jusqu'à la signature du marché. Les entreprises intéressées sont "
              "informées et la décision est publiée." +
                  std::string(state == "draft" ? " Un brouillon abandonné n'est jamais publié." : ""),
              "Je confirme : la procédure prend fin, ce qui ne peut pas être annulé.",
              "Déclarer sans suite");
  }
  return m;
}

http::Response ManagePage(app::Procedures& procedures, const Principal& buyer,
                          const http::Request& req, const std::string& id,
                          const FormErrors& errors = {},
                          const std::map<std::string, std::string>* posted = nullptr) {
  auto t = OwnTender(procedures, buyer, id);
  if (!t.ok()) return RefusedPage(t.status(), "/acheteur");
  const json& c = *t;
  const std::string state = StateCode(c);
  const std::string base = ManageHref(id);
  const std::string csrf = CsrfInput(req);
  std::string m =
      "<nav aria-label=\"Fil d'Ariane\"><ul><li><a href=\"/acheteur\">Mes "
      "consultations</a></li><li>" +
      Escape(Str(c, "title")) + "</li></ul></nav>";
  m += "<hgroup><h1>" + Escape(Str(c, "title")) + "</h1><p>État : <strong>" + Label(c, "state") +
       "</strong>" + (c.value("test", false) ? " — consultation de test" : "") +
       " — date limite : " + ParisTime(c, "deadline") + "</p></hgroup>";
  m += ErrorSummary(errors);
  if (state != "draft")
    m += "<p><a href=\"/consultations/" + Escape(api::UrlEncode(id)) +
         "\">Voir la page publique</a></p>";

  if (state == "draft") {
    m += "<section aria-labelledby=\"publier\"><h2 id=\"publier\">Publier</h2><p>La publication "
         "vérifie le brouillon et les délais minimaux, crée la clé d'ouverture des plis et vous "
         "la remet <strong>une seule fois</strong>.</p><form method=\"post\" action=\"" +
         Escape(base) + "/publication\">" + csrf +
         "<button type=\"submit\">Publier la consultation</button></form></section>";
    m += "<section aria-labelledby=\"modifier\"><h2 id=\"modifier\">Modifier le brouillon</h2>";
    m += DraftForm(req, base, posted && posted->count("title") ? *posted : FormValues(c), errors, "Enregistrer le brouillon",
                   false);
    m += "</section>";
  }

  // DCE documents.
  m += "<section aria-labelledby=\"dce\"><h2 id=\"dce\">Dossier de consultation (DCE)</h2>";
  const json& docs = c.value("documents", json::array());
  if (docs.empty()) {
    m += "<p>Aucun document.</p>";
  } else {
    m += "<ul>";
    for (const auto& d : docs)
      m += "<li>" + Escape(Str(d, "name")) + " (" + Bytes(d.value("size", int64_t{0})) +
           ", SHA-256 <code>" + Escape(Str(d, "sha256")) + "</code>)</li>";
    m += "</ul>";
  }
  if (state == "draft" || state == "published") {
    m += "<form method=\"post\" action=\"" + Escape(base) +
         "/documents\" enctype=\"multipart/form-data\">" + csrf +
         "<label for=\"document-dce\">Ajouter un document</label><input type=\"file\" "
         "id=\"document-dce\" name=\"document\" required><button type=\"submit\">Ajouter au "
         "dossier</button></form>";
  }
  m += "</section>";

  if (state == "published") {
    auto questions = procedures.Questions(&buyer, id);
    m += "<section aria-labelledby=\"questions\"><h2 id=\"questions\">Questions</h2>";
    if (!questions.ok() || (*questions)["items"].empty()) m += "<p>Aucune question.</p>";
    if (questions.ok()) {
      for (const auto& q : (*questions)["items"]) {
        const std::string qid = Str(q, "id");
        m += "<article><p><strong>Question</strong> (" + ParisTime(q, "asked") +
             ") : " + Escape(Str(q, "text")) + "</p>";
        if (q.contains("answer")) {
          m += "<p><strong>Réponse :</strong> " + Escape(Str(q, "answer")) + "</p>";
        } else {
          const std::string fid = "reponse-" + Escape(qid);
          m += "<form method=\"post\" action=\"" + Escape(base) + "/questions/" +
               Escape(api::UrlEncode(qid)) + "/reponse\">" + csrf + "<label for=\"" + fid +
               "\">Réponse publique</label><textarea id=\"" + fid +
               "\" name=\"texte\" rows=\"3\" required></textarea><button "
               "type=\"submit\">Publier la réponse</button></form>";
        }
        m += "</article>";
      }
    }
    m += "</section>";
    m += "<section aria-labelledby=\"modification\"><h2 id=\"modification\">Modifier la "
         "consultation publiée</h2><p>Chaque modification est publiée avec son résumé et "
         "notifiée aux entreprises qui ont téléchargé le dossier. La date limite peut être "
         "reportée ; avancée, seulement jusqu'au délai minimal.</p>";
    m += DraftForm(req, base + "/modification", posted && posted->count("title") ? *posted : FormValues(c), errors,
                   "Publier la modification", true);
    m += "</section>";
  }

  if (state == "closed") {
    m += "<section aria-labelledby=\"ouverture\"><h2 id=\"ouverture\">Ouvrir les plis</h2><p>La "
         "date limite est passée. Collez la clé privée d'ouverture remise à la publication, ou "
         "choisissez le fichier téléchargé alors. Elle sert à ouvrir les plis en mémoire et "
         "n'est pas conservée.</p><form method=\"post\" action=\"" +
         Escape(base) + "/ouverture\" enctype=\"multipart/form-data\">" + csrf +
         Input("secret_key", "Clé privée d'ouverture (base64)", "", errors,
               "type=\"password\" autocomplete=\"off\" spellcheck=\"false\"") +
         "<label for=\"fichier-cle\">ou le fichier de la clé</label><input type=\"file\" "
         "id=\"fichier-cle\" name=\"secret_key_file\">"
         "<label><input type=\"checkbox\" name=\"include_late\" value=\"1\"> Ouvrir aussi les "
         "plis arrivés hors délai</label><button type=\"submit\">Ouvrir les plis</button>"
         "</form></section>";
  }

  auto bids = state == "opened" || state == "evaluated" || state == "awarded" ||
                      state == "standstill" || state == "signed" || state == "data_published"
                  ? procedures.Bids(buyer, id)
                  : Result<json>(Status::NotFound(""));
  if (bids.ok()) {
    m += "<section aria-labelledby=\"plis\"><h2 id=\"plis\">Offres ouvertes</h2><table><thead>"
         "<tr><th scope=\"col\">Entreprise</th><th scope=\"col\">Reçue le</th><th "
         "scope=\"col\">Documents</th></tr></thead><tbody>";
    for (const auto& b : (*bids)["bids"]) {
      m += "<tr><td>" + Escape(Str(b.value("company", json::object()), "name")) + " (" +
           Escape(Str(b.value("company", json::object()), "id")) + ")</td><td>" +
           ParisTime(b, "received") + (Str(b, "timing") == "late" ? " (hors délai)" : "") +
           "</td><td><ul>";
      size_t n = 0;
      for (const auto& d : b.value("documents", json::array())) {
        m += "<li><a href=\"/api/v1/tenders/" + Escape(api::UrlEncode(id)) + "/bids/" +
             Escape(api::UrlEncode(Str(b, "id"))) + "/documents/" + std::to_string(n++) +
             "\" download>" + Escape(Str(d, "name")) + "</a> (" +
             Bytes(d.value("size", int64_t{0})) + ", " +
             (d.value("opened", false) ? "s'ouvre avec la clé"
                                       : "ne s'ouvre pas : " + Escape(Str(d, "error"))) +
             ")</li>";
      }
      m += "</ul></td></tr>";
    }
    m += "</tbody></table><p><small>Chaque document se télécharge chiffré ; ouvrez-le avec "
         "<code>limpide open --secret-key-file</code>.</small></p></section>";
    if (state == "opened") {
      m += "<section aria-labelledby=\"notes\"><h2 id=\"notes\">Noter les offres</h2><p>Une "
           "note de 0 à 100 par critère : " +
           CriteriaNames(c) + ".</p><form method=\"post\" action=\"" + Escape(base) +
           "/evaluation\">" + csrf;
      for (const auto& b : (*bids)["bids"]) {
        const std::string bid = Str(b, "id");
        m += "<fieldset><legend>" + Escape(Str(b.value("company", json::object()), "name")) +
             "</legend><div class=\"grid\">";
        size_t k = 0;
        for (const auto& crit : c.value("criteria", json::array())) {
          const std::string fid = "note-" + Escape(bid) + "-" + std::to_string(k++);
          m += "<div><label for=\"" + fid + "\">" + Escape(Str(crit, "name")) +
               "</label><input id=\"" + fid + "\" name=\"note|" + Escape(bid) + "|" +
               Escape(Str(crit, "name")) +
               "\" type=\"number\" min=\"0\" max=\"100\" step=\"1\" required></div>";
        }
        m += "</div></fieldset>";
      }
      m += "<button type=\"submit\">Enregistrer les notes et classer</button></form></section>";
    }
    const json& ranking = (*bids)["ranking"];
    if (!ranking.empty()) {
      m += "<section aria-labelledby=\"classement\"><h2 id=\"classement\">Classement</h2>";
      if (state == "evaluated")
        m += "<form method=\"post\" action=\"" + Escape(base) + "/attribution\">" + csrf;
      m += "<table><thead><tr><th scope=\"col\">Rang</th><th scope=\"col\">Entreprise</th><th "
           "scope=\"col\">Note pondérée</th>" +
           std::string(state == "evaluated" ? "<th scope=\"col\">Attribuer</th>" : "") +
           "</tr></thead><tbody>";
      for (const auto& r : ranking) {
        const int64_t total = r.value("total_hundredths", int64_t{0});
        const std::string rank = std::to_string(r.value("rank", 0));
        m += "<tr><td>" + rank + "</td><td>" +
             Escape(Str(r.value("company", json::object()), "name")) + "</td><td>" +
             std::to_string(total / 100) + "," + (total % 100 < 10 ? "0" : "") +
             std::to_string(total % 100) + "</td>";
        if (state == "evaluated") {
          m += "<td><label><input type=\"radio\" name=\"bid\" value=\"" + Escape(Str(r, "bid")) +
               "\"" + (rank == "1" ? " checked" : "") + " required> " +
               Escape(Str(r.value("company", json::object()), "name")) + "</label></td>";
        }
        m += "</tr>";
      }
      m += "</tbody></table>";
      if (state == "evaluated") m += "<button type=\"submit\">Attribuer le marché</button></form>";
      m += "</section>";
    }
  }

  if (state == "standstill")
    m += "<p>Délai de suspension : la signature est possible à partir du " +
         ParisTime(c, "standstillEnds") + ".</p>";
  if (state == "awarded" || state == "standstill") {
    m += "<section aria-labelledby=\"signature\"><h2 id=\"signature\">Signer le marché</h2>"
         "<form method=\"post\" action=\"" +
         Escape(base) + "/signature\">" + csrf +
         Input("amount", "Montant du marché (euros HT)", "", errors,
               "type=\"text\" inputmode=\"decimal\" required", "Par exemple 48000,00") +
         Input("duration_months", "Durée (mois, facultative)", "", errors,
               "type=\"number\" min=\"1\" step=\"1\"") +
         "<button type=\"submit\">Signer et publier les données essentielles</button></form>"
         "</section>";
  }
  if (c.contains("contract") && c["contract"].is_object()) {
    const std::string uid = Str(c["contract"], "uid");
    m += "<p>Marché conclu : <a href=\"/contrats/" + Escape(api::UrlEncode(uid)) + "\">" +
         Escape(uid) + "</a></p>";
  }

  m += EndSections(req, c, state, base, errors, posted);

  // The history.
  auto events = procedures.Events(buyer, id);
  if (events.ok()) {
    m += "<section aria-labelledby=\"historique\"><h2 id=\"historique\">Historique</h2>"
         "<div class=\"overflow-auto\"><table class=\"striped\"><caption>Les événements de la "
         "consultation (les dépôts n'y figurent qu'après la date limite)</caption><thead><tr>"
         "<th scope=\"col\">Date</th><th scope=\"col\">Événement</th><th "
         "scope=\"col\">Organisation</th></tr></thead><tbody>";
    for (const auto& e : (*events)["items"]) {
      const json actor = e.value("actor", json::object());
      m += "<tr><td>" + ParisTime(e, "time") + "</td><td>" + Escape(EventLabel(Str(e, "kind"))) +
           "</td><td>" + Escape(Str(actor.value("organization", json::object()), "name")) +
           "</td></tr>";
    }
    m += "</tbody></table></div></section>";
  }
  return NoStore(Page(errors.empty() ? 200 : 400, Str(c, "title"), m));
}

// The page shown once after publication: the opening key, with a warning and a download.
http::Response PublishedPage(const json& published) {
  const json& t = published["tender"];
  const std::string id = Str(t, "id");
  const std::string secret = Str(published["opening_key"], "secret_key");
  const std::string file = "cle-ouverture-" + id + ".txt";
  std::string m = "<h1>Consultation publiée</h1>";
  m += "<article role=\"alert\" class=\"avertissement\"><h2>Votre clé privée d'ouverture des "
       "plis</h2><p><strong>Elle n'est affichée qu'une fois et la plateforme ne la conserve "
       "pas.</strong> Sans elle, personne ne pourra ouvrir les offres, pas même la plateforme. "
       "Téléchargez-la maintenant et rangez-la en lieu sûr, hors de cette plateforme ; vous en "
       "aurez besoin après la date limite (" +
       ParisTime(t, "deadline") + ").</p>";
  m += "<label for=\"cle-privee\">Clé privée (base64)</label><input id=\"cle-privee\" "
       "type=\"text\" readonly value=\"" +
       Escape(secret) + "\" spellcheck=\"false\">";
  m += "<p><a role=\"button\" id=\"telecharger-cle\" download=\"" + Escape(file) +
       "\" href=\"data:text/plain;charset=utf-8;base64," + crypto::Base64Encode(secret + "\n") +
       "\">Télécharger la clé</a></p></article>";
  m += "<p>Clé publique (publiée avec la consultation) : <code>" +
       Escape(Str(published["opening_key"], "public_key")) + "</code></p>";
  m += "<p><a href=\"" + Escape(ManageHref(id)) + "\">Continuer vers la consultation</a></p>";
  http::Response r = Page(200, "Consultation publiée", m);
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

// The fields of a draft form as an error list when the service refused the JSON.
// The field error of a refusal of the service: its rule, beside the field it
// names (the size limit is typed in Mio: maxDocumentBytes is that input).
FormErrors FieldError(const Status& st) {
  std::string field = st.field().empty() ? "title" : st.field();
  if (field == "maxDocumentBytes") field = "maxDocumentMiB";
  if (!st.french().empty()) {
    std::string fr = st.french();
    fr[0] = static_cast<char>(fr[0] >= 'a' && fr[0] <= 'z' ? fr[0] - 'a' + 'A' : fr[0]);
    return {{field, fr + "."}};
  }
  return {{field, "refusé par la règle « " + st.message() + " »"}};
}

// The post of the draft form on the management page (edit or amend): `save`
// gets the consultation JSON; an error naming a field shows the form again
// with what was typed, any other refusal its page.
template <typename Save>
http::Response SaveDraftForm(app::Procedures& procedures, const Principal& who,
                             const http::Request& req, const Fields& fields, Save&& save) {
  const std::string& id = req.params.at("id");
  bool row_edit = false;
  const Values values = PostedValues(fields, &row_edit);
  // A row added or removed: the form again, with what was typed, nothing saved.
  if (row_edit) return ManagePage(procedures, who, req, id, {}, &values);
  FormErrors errors;
  json draft = DraftJson(values, errors);
  if (errors.empty()) {
    auto saved = save(draft);
    if (saved.ok()) return NoStore(SeeOther(ManageHref(id)));
    if (saved.status().code() != ErrorCode::kInvalidArgument)
      return RefusedPage(saved.status(), ManageHref(id));
    errors = FieldError(saved.status());
  }
  return ManagePage(procedures, who, req, id, errors, &values);
}

// The post of a form of EndSections: a reason and the confirmation are
// required (shown beside their fields); the service's refusal, a 409 when the
// state forbids it, is its French page.
http::Response EndPost(app::Procedures& procedures, const Principal& who, const http::Request& req,
                       const Fields& fields, bool cancel) {
  const std::string& id = req.params.at("id");
  const std::string prefix = cancel ? "sans-suite" : "infructueuse";
  std::string reason = Field(fields, "motif");
  while (!reason.empty() && (reason.back() == ' ' || reason.back() == '\n' || reason.back() == '\r'))
    reason.pop_back();
  FormErrors errors;
  if (reason.empty()) errors.push_back({prefix + "_reason", "Indiquez le motif de la décision."});
  if (reason.size() > 10'000)
    errors.push_back({prefix + "_reason", "Le motif tient en 10 000 caractères au plus."});
  if (Field(fields, "confirmation") != "1")
    errors.push_back({prefix + "_confirm", "Cochez la case pour confirmer la décision."});
  if (errors.empty()) {
    auto done = cancel ? procedures.Cancel(who, id, reason)
                       : procedures.DeclareUnsuccessful(who, id, reason);
    if (done.ok()) return NoStore(SeeOther(ManageHref(id) + "#fin"));
    if (done.status().code() != ErrorCode::kInvalidArgument)
      return RefusedPage(done.status(), ManageHref(id));
    errors = {{prefix + "_reason", done.status().french().empty() ? done.status().message()
                                                                  : done.status().french()}};
  }
  const std::map<std::string, std::string> values = {{"motif", Field(fields, "motif")}};
  return ManagePage(procedures, who, req, id, errors, &values);
}

}  // namespace

void RegisterBuyerPages(http::Router& router, app::Procedures& procedures,
                        const app::Accounts& accounts) {
  app::Procedures* p = &procedures;
  const app::Accounts* a = &accounts;

  router.Add("GET", "/acheteur",
             [p, a](const http::Request& req) { return Dashboard(*p, *a, req); });
  router.Add("GET", "/acheteur/consultations/nouvelle", [a](const http::Request& req) {
    return NewDraftPage(*a, req, {{"criteria[0].name", "Prix"}, {"criteria[0].weight", "100"}}, {});
  });
  router.Add("POST", "/acheteur/consultations", [p, a](const http::Request& req) {
    return FormPost(*a, req, UserRole::kBuyerAgent,
                    [&](const Principal& who, const Fields& fields) {
                      bool row_edit = false;
                      const Values values = PostedValues(fields, &row_edit);
                      if (row_edit) return NewDraftPage(*a, req, values, {});
                      FormErrors errors;
                      json draft = DraftJson(values, errors);
                      if (errors.empty()) {
                        auto created = p->CreateDraft(who, draft.dump());
                        if (created.ok()) return NoStore(SeeOther(ManageHref(Str(*created, "id"))));
                        if (created.status().code() != ErrorCode::kInvalidArgument)
                          return RefusedPage(created.status(), "/acheteur");
                        errors = FieldError(created.status());
                      }
                      return NewDraftPage(*a, req, values, errors);
                    });
  });
  router.Add("GET", "/acheteur/consultations/{id}", [p, a](const http::Request& req) {
    auto who = RequireRole(req, *a, UserRole::kBuyerAgent);
    if (auto* page = std::get_if<http::Response>(&who)) return std::move(*page);
    return ManagePage(*p, std::get<Principal>(who), req, req.params.at("id"));
  });
  router.Add("POST", "/acheteur/consultations/{id}", [p, a](const http::Request& req) {
    return FormPost(*a, req, UserRole::kBuyerAgent, [&](const Principal& who, const Fields& f) {
      return SaveDraftForm(*p, who, req, f, [&](const json& draft) {
        return p->UpdateDraft(who, req.params.at("id"), draft.dump());
      });
    });
  });
  router.Add("POST", "/acheteur/consultations/{id}/publication", [p, a](const http::Request& req) {
    return FormPost(*a, req, UserRole::kBuyerAgent, [&](const Principal& who, const Fields&) {
      const std::string& id = req.params.at("id");
      auto published = p->Publish(who, id);
      if (published.ok()) return PublishedPage(*published);
      // The checks of the draft and the legal periods name a field: shown beside it.
      if (published.status().code() == ErrorCode::kInvalidArgument)
        return ManagePage(*p, who, req, id, FieldError(published.status()));
      return RefusedPage(published.status(), ManageHref(id));
    });
  });
  router.Add("POST", "/acheteur/consultations/{id}/modification", [p, a](const http::Request& req) {
    return FormPost(*a, req, UserRole::kBuyerAgent, [&](const Principal& who, const Fields& f) {
      return SaveDraftForm(*p, who, req, f, [&](json draft) {
        const std::string& id = req.params.at("id");
        auto current = p->Get(&who, id);
        if (current.ok() && current->value("test", false)) draft["test"] = true;
        return p->Amend(who, id, draft.dump(), Field(f, "summary"));
      });
    });
  });
  router.Add("POST", "/acheteur/consultations/{id}/documents", [p, a](const http::Request& req) {
    return FormPost(
        *a, req, UserRole::kBuyerAgent, [&](const Principal& who, const Fields& fields) {
          const std::string& id = req.params.at("id");
          const FormField* file = FindField(fields, "document");
          if (!file || !file->filename || file->filename->empty())
            return ManagePage(*p, who, req, id, {{"document", "Choisissez un fichier."}});
          auto added = p->AddDocument(who, id, *file->filename,
                                      file->type.empty() ? "application/octet-stream" : file->type,
                                      file->value);
          if (!added.ok()) return RefusedPage(added.status(), ManageHref(id));
          return NoStore(SeeOther(ManageHref(id) + "#dce"));
        });
  });
  router.Add("POST", "/acheteur/consultations/{id}/questions/{qid}/reponse",
             [p, a](const http::Request& req) {
               return FormPost(
                   *a, req, UserRole::kBuyerAgent, [&](const Principal& who, const Fields& fields) {
                     const std::string& id = req.params.at("id");
                     auto answered =
                         p->Answer(who, id, req.params.at("qid"), Field(fields, "texte"));
                     if (!answered.ok()) return RefusedPage(answered.status(), ManageHref(id));
                     return NoStore(SeeOther(ManageHref(id) + "#questions"));
                   });
             });
  router.Add("POST", "/acheteur/consultations/{id}/ouverture", [p, a](const http::Request& req) {
    return FormPost(
        *a, req, UserRole::kBuyerAgent, [&](const Principal& who, const Fields& fields) {
          const std::string& id = req.params.at("id");
          std::string key = Field(fields, "secret_key");
          if (key.empty()) {
            const FormField* file = FindField(fields, "secret_key_file");
            if (file) key = file->value;
          }
          // The key as pasted or saved: surrounding spaces and line ends are not part of it.
          while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' '))
            key.pop_back();
          while (!key.empty() && key.front() == ' ') key.erase(0, 1);
          auto opened = p->OpenBids(who, id, key, Field(fields, "include_late") == "1");
          if (opened.ok()) return NoStore(SeeOther(ManageHref(id) + "#plis"));
          if (opened.status().code() == ErrorCode::kInvalidArgument)
            return ManagePage(*p, who, req, id, FieldError(opened.status()));
          return RefusedPage(opened.status(), ManageHref(id));
        });
  });
  router.Add("POST", "/acheteur/consultations/{id}/evaluation", [p, a](const http::Request& req) {
    return FormPost(
        *a, req, UserRole::kBuyerAgent, [&](const Principal& who, const Fields& fields) {
          const std::string& id = req.params.at("id");
          json scores = json::object();
          for (const auto& f : fields) {
            if (!f.name.starts_with("note|")) continue;
            const size_t bar = f.name.find('|', 5);
            if (bar == std::string::npos) continue;
            int64_t v = -1;
            auto [q, ec] = std::from_chars(f.value.data(), f.value.data() + f.value.size(), v);
            if (ec != std::errc() || q != f.value.data() + f.value.size())
              return RefusedPage(
                  Status::InvalidArgument("scores are whole numbers from 0 to 100", "scores"),
                  ManageHref(id));
            scores[f.name.substr(5, bar - 5)][f.name.substr(bar + 1)] = v;
          }
          auto evaluated = p->Evaluate(who, id, json{{"scores", scores}}.dump());
          if (!evaluated.ok()) return RefusedPage(evaluated.status(), ManageHref(id));
          return NoStore(SeeOther(ManageHref(id) + "#classement"));
        });
  });
  router.Add("POST", "/acheteur/consultations/{id}/attribution", [p, a](const http::Request& req) {
    return FormPost(*a, req, UserRole::kBuyerAgent,
                    [&](const Principal& who, const Fields& fields) {
                      const std::string& id = req.params.at("id");
                      auto awarded = p->Award(who, id, Field(fields, "bid"));
                      if (!awarded.ok()) return RefusedPage(awarded.status(), ManageHref(id));
                      return NoStore(SeeOther(ManageHref(id)));
                    });
  });
  // Ending the procedure: sans suite, infructueuse (EndSections).
  for (const bool cancel : {true, false}) {
    router.Add("POST",
               std::string("/acheteur/consultations/{id}/") +
                   (cancel ? "sans-suite" : "infructueuse"),
               [p, a, cancel](const http::Request& req) {
                 return FormPost(*a, req, UserRole::kBuyerAgent,
                                 [&](const Principal& who, const Fields& fields) {
                                   return EndPost(*p, who, req, fields, cancel);
                                 });
               });
  }
  router.Add("POST", "/acheteur/consultations/{id}/signature", [p, a](const http::Request& req) {
    return FormPost(
        *a, req, UserRole::kBuyerAgent, [&](const Principal& who, const Fields& fields) {
          const std::string& id = req.params.at("id");
          // "48 000,00" as typed in French: the service reads "48000.00".
          std::string amount;
          for (char ch : Field(fields, "amount")) {
            if (ch == ',')
              amount += '.';
            else if (ch != ' ')
              amount += ch;
          }
          json body = {{"amount", amount}};
          const std::string months = Field(fields, "duration_months");
          if (!months.empty()) {
            int v = 0;
            auto [q, ec] = std::from_chars(months.data(), months.data() + months.size(), v);
            if (ec != std::errc() || q != months.data() + months.size())
              return ManagePage(*p, who, req, id,
                                {{"duration_months", "Saisissez un nombre entier de mois."}});
            body["duration_months"] = v;
          }
          auto signed_ = p->Sign(who, id, body.dump());
          if (signed_.ok()) return NoStore(SeeOther(ManageHref(id)));
          if (signed_.status().code() == ErrorCode::kInvalidArgument)
            return ManagePage(*p, who, req, id, FieldError(signed_.status()));
          return RefusedPage(signed_.status(), ManageHref(id));
        });
  });
}

}  // namespace limpide::web
