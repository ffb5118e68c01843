# bash completion for pkms (pkms completion bash). Needs no bash-completion package.

__pkms_complete()
{
    local words=() i w rest=$COMP_LINE trimmed cword=-1
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        trimmed=${rest#"${rest%%[![:space:]]*}"}
        if ((i > 0 && ${#trimmed} == ${#rest})); then
            words[${#words[@]}-1]+=$w
        else
            words+=("$w")
        fi
        rest=${trimmed#"$w"}
        if ((i == COMP_CWORD)); then
            cword=$((${#words[@]} - 1))
            break
        fi
    done
    ((cword < 0)) && return
    local cur=${words[cword]}
    local piece=${COMP_WORDS[COMP_CWORD]}
    local lead=${cur%"$piece"}

    # pkms answers --opt=VALUE with values alone.
    local flag= value=$cur
    if [[ $cur == -*=* ]]; then
        flag=${cur%%=*}=
        value=${cur#*=}
    fi

    local out directive
    # The word as typed may escape blanks (a file name completed before).
    out=$("${words[0]}" __completeNoDesc "${words[@]:1:cword-1}" "${cur//\\ / }" 2>/dev/null) || return
    directive=${out##*:}
    out=${out%:*}
    [[ $directive =~ ^[0-9]+$ ]] || directive=0
    ((directive & 1)) && return

    COMPREPLY=()
    local c
    while IFS= read -r c; do
        [[ -z $c ]] && continue
        c=$flag$c
        [[ $c == "$lead"* ]] || continue
        c=${c#"$lead"}
        # A file name with a blank or a quote goes in escaped.
        [[ $c == *[[:space:]\'\"\\$]* ]] && printf -v c '%q' "$c"
        COMPREPLY+=("$c")
    done <<<"$out"

    if ((${#COMPREPLY[@]} == 0 && (directive & 4) == 0)); then
        # pkms offers no candidates and allows file names here.
        compopt -o filenames 2>/dev/null
        while IFS= read -r c; do
            [[ -n $c ]] && c=$flag$c && COMPREPLY+=("${c#"$lead"}")
        done < <(compgen -f -- "$value")
        return
    fi
    ((directive & 2)) && compopt -o nospace 2>/dev/null
    ((directive & 32)) && compopt -o nosort 2>/dev/null
    return 0
}

complete -F __pkms_complete pkms
