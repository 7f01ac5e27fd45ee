// Server-rendered web pages, in French, accessible (semantic HTML, RGAA),
// usable without JavaScript, styled with Pico CSS. They call the same app
// services as the API.
#pragma once

#include <string>

#include "app/accounts.h"
#include "app/catalogue.h"
#include "app/ledger.h"
#include "app/procedure.h"
#include "http/router.h"
#include "search/search.h"

namespace limpide::web {

struct WebOptions {
  std::string static_dir;  // served under /static/ (pico.min.css, limpide.css)
  // When set, /registre shows the transparency ledger. Must outlive the router.
  app::LedgerService* ledger = nullptr;
};

// Adds GET /, /contrats, /contrats/{uid}, /organisations/{id}, /registre,
// /static/{file}.
void RegisterWeb(http::Router& router, const app::Catalogue& catalogue, const WebOptions& options);

// Adds GET /recherche: the search page, with facets as links (docs/search.md).
// `index` and `store` must outlive the router.
void RegisterSearchPage(http::Router& router, search::Index& index, store::Store& store);

// Adds GET and POST /connexion (the login form; sets the session cookie) and
// POST /deconnexion (revokes the session, clears the cookie). Forms work
// without JavaScript; cross-site posts are stopped by SameSite=Lax
// (docs/accounts.md). `accounts` must outlive the router.
void RegisterLoginPage(http::Router& router, app::Accounts& accounts);

// GET /consultations (published consultations), /consultations/{id} (a
// consultation's public page: deadlines, documents, answers, amendments,
// opening key; for a signed-in company also its deposits and the deposit
// and question forms), /espace, and the buyer's and company's pages of the
// procedure (buyer_pages.cpp, company_pages.cpp; docs/tenders.md, "Web
// pages"). Both must outlive the router.
void RegisterTendersPages(http::Router& router, app::Procedures& procedures,
                          const app::Accounts& accounts);

// GET /donnees: the bulk open data files (full dump and daily deltas) with
// their size, record count, SHA-256 and ledger head (docs/bulk.md). `bulk_dir`
// is the directory app::BulkPublisher writes.
void RegisterBulkPage(http::Router& router, const std::string& bulk_dir);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string Escape(std::string_view s);

}  // namespace limpide::web
