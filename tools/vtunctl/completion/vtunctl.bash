# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# bash completion for vtunctl(8): commands, subcommands, keywords and their
# fixed values, vtun device names (ip -o link show type vtun), other devices
# for bind-dev, files for -b, setconf and @KEY. Installed as
# $(PREFIX)/share/bash-completion/completions/vtunctl.

_vtunctl_devices() {	# [TYPE]: names of the links, of TYPE only if given
	ip -o link show ${1:+type "$1"} 2>/dev/null |
		awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
}

_vtunctl_reply_devices() {	# [TYPE] [WORD...]: device names and WORDs
	local devs=()
	mapfile -t devs < <(_vtunctl_devices "${1:-}")
	_vtunctl_reply "${devs[@]}" "${@:2}"
}

_vtunctl_reply() {	# WORD...: those that start with $cur
	local IFS=$'\n'
	# shellcheck disable=SC2207 # words never contain newlines
	COMPREPLY+=($(compgen -W "$*" -- "$cur"))
}

_vtunctl_files() {	# [PREFIX]: file names, PREFIX kept in front (@KEY)
	local IFS=$'\n' p=${1:-} f
	compopt -o filenames -o nospace 2>/dev/null
	for f in $(compgen -f -- "${cur#"$p"}"); do
		[[ -d $f ]] && f+=/
		COMPREPLY+=("$p$f")
	done
}

# The keywords after DEV and how many values each takes, per command.
_vtunctl_keywords() {	# CMD SUB
	case $1 in
	set) echo "listen-port:1 fwmark:1 bind-dev:1 ttl:1 dscp:1" ;;
	peer)
		case $2 in
		del) echo "id:1" ;;
		add) echo "id:1 endpoint:1 keepalive:1 pin-endpoint:0" ;;
		*) echo "id:1 endpoint:1 keepalive:1 pin-endpoint:0 no-pin-endpoint:0" ;;
		esac ;;
	route) echo "peer:1" ;;
	sa)
		case $2 in
		del) echo "dir:1 spi:1" ;;
		*) echo "peer:1 dir:1 spi:1 aead:3 esn:0 replay-window:1 seq:1 limit:2" ;;
		esac ;;
	esac
}

# Values of a keyword: $1 the keyword, $2 which of its values (1-based).
_vtunctl_values() {
	case $1:$2 in
	bind-dev:1) _vtunctl_reply_devices "" none ;;
	keepalive:1) _vtunctl_reply off 25 ;;
	dscp:1) _vtunctl_reply inherit ;;
	dir:1) _vtunctl_reply in out ;;
	aead:1)
		# the parentheses must be quoted for the shell
		local alg
		for alg in 'rfc4106(gcm(aes))' 'rfc7539esp(chacha20,poly1305)'; do
			[[ "'$alg'" == "$cur"* || $alg == "$cur"* ]] && COMPREPLY+=("'$alg'")
		done
		;;
	aead:2) [[ $cur == @* ]] && _vtunctl_files @ ;;
	aead:3) _vtunctl_reply 64 96 128 ;;
	limit:1)
		_vtunctl_reply time-soft time-hard time-use-soft time-use-hard \
			byte-soft byte-hard packet-soft packet-hard ;;
	esac
}

# After "CMD [SUB] DEV": keywords, or the values of the keyword before.
_vtunctl_args() {	# CMD SUB FIRST: FIRST is the index of the word after DEV
	local cmd=$1 sub=$2 i=$3 kw n spec word left=0 pending=
	local -A nargs=()
	for spec in $(_vtunctl_keywords "$cmd" "$sub"); do
		nargs[${spec%:*}]=${spec#*:}
	done
	[[ $cmd == route ]] && ((i == COMP_CWORD)) && return	# PREFIX
	[[ $cmd == route ]] && i=$((i + 1))
	for ((; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		if ((left > 0)); then
			left=$((left - 1))
			continue
		fi
		pending=$word
		left=${nargs[$word]:-0}
	done
	if ((left > 0)); then
		n=$((${nargs[$pending]} - left + 1))
		_vtunctl_values "$pending" "$n"
		return
	fi
	for kw in "${!nargs[@]}"; do
		_vtunctl_reply "$kw"
	done
}

_vtunctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local i=1 cmd sub
	local cmds=(show set peer route sa monitor setconf showconf genkey help)
	COMPREPLY=()

	# options before the command
	while ((i < COMP_CWORD)); do
		case ${COMP_WORDS[i]} in
		-b | --batch) i=$((i + 2)) ;;
		-*) i=$((i + 1)) ;;
		*) break ;;
		esac
	done
	if ((i >= COMP_CWORD)); then
		case $prev in
		-b | --batch) _vtunctl_files; return ;;
		esac
		if [[ $cur == -* ]]; then
			_vtunctl_reply -j --json -p --pretty -b --batch --force -h --help -V --version
		else
			_vtunctl_reply "${cmds[@]}"
		fi
		return
	fi
	cmd=${COMP_WORDS[i]}
	i=$((i + 1))

	case $cmd in
	peer | route | sa)
		if ((i == COMP_CWORD)); then
			case $cmd in
			peer) _vtunctl_reply add set del help ;;
			*) _vtunctl_reply add del help ;;
			esac
			return
		fi
		sub=${COMP_WORDS[i]}
		i=$((i + 1))
		;;
	esac

	if ((i == COMP_CWORD)); then	# DEV, or what replaces it
		case $cmd in
		help) _vtunctl_reply "${cmds[@]}" ;;
		genkey) _vtunctl_reply aes128 aes192 aes256 chacha20 help ;;
		show | monitor)
			_vtunctl_reply_devices vtun -j --json -p --pretty help ;;
		*) _vtunctl_reply_devices vtun help ;;
		esac
		return
	fi

	case $cmd in
	show | monitor) _vtunctl_reply_devices vtun -j --json -p --pretty ;;
	setconf) ((i + 1 == COMP_CWORD)) && _vtunctl_files ;;
	showconf) _vtunctl_reply --key-paths ;;
	set | peer | route | sa) _vtunctl_args "$cmd" "$sub" $((i + 1)) ;;
	esac
}

complete -F _vtunctl vtunctl
