# shellcheck shell=bash
# no-cmocka.sh - what a machine without cmocka looks like to pkg-config.
#   pc_without_cmocka DIR   fills DIR with links to every .pc file
#                           pkg-config finds but cmocka's; then
#                           PKG_CONFIG_LIBDIR=DIR PKG_CONFIG_PATH= hides it
pc_without_cmocka() {
    local dir=$1 d f
    local -a pcdirs
    mkdir -p "$dir"
    IFS=: read -r -a pcdirs <<< "$(pkg-config --variable pc_path pkg-config)"
    for d in "${pcdirs[@]}"; do
        [ -d "$d" ] || continue
        for f in "$d"/*.pc; do
            [ -e "$f" ] || continue
            case $(basename "$f") in cmocka*) continue ;; esac
            [ -e "$dir/$(basename "$f")" ] || ln -s "$f" "$dir/"
        done
    done
}
