// Linked into every subsystem library so that a folder with no source yet
// still forms a valid library target.
namespace limpide {
[[maybe_unused]] static const int kModuleAnchor = 0;
}  // namespace limpide
