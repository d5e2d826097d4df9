# Bad and unusual request bodies: each gets its exact answer, nothing of
# the input is reflected, and bodies however nginx stored them are read.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

our $URI = '/autodiscover/autodiscover.xml';

AD::defaults(http_config => $AD::SERVICE, error_code => 200);

run_tests();

__DATA__

=== TEST 1: empty body
--- request
POST /autodiscover/autodiscover.xml
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent no request body



=== TEST 2: malformed XML
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<Autodiscover xmlns="$AD::REQ_NS"><Request><EMailAddress>alice\@example.com</Request>}
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML



=== TEST 3: not XML at all
--- request eval
"POST /autodiscover/autodiscover.xml\nemail=alice\@example.com\x00\xff\xfe"
--- response_body_like eval
AD::error_like(600)



=== TEST 4: wrong root element
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<Discover xmlns="$AD::REQ_NS"><Request><EMailAddress>alice\@example.com</EMailAddress></Request></Discover>}
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: the root element is not Autodiscover



=== TEST 5: no namespace
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<Autodiscover><Request><EMailAddress>alice\@example.com</EMailAddress></Request></Autodiscover>}
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: the request is not in an Autodiscover request namespace



=== TEST 6: a response namespace where the request namespace belongs
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox('alice@example.com', undef, $AD::OUTLOOK)
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: the request is not in an Autodiscover request namespace



=== TEST 7: children in another namespace than the root are not read
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<Autodiscover xmlns="$AD::REQ_NS"><Request xmlns="urn:other">}
. qq{<EMailAddress>alice\@example.com</EMailAddress></Request></Autodiscover>}
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: no Request element



=== TEST 8: no address and no LegacyDN
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<AcceptableResponseSchema>$AD::OUTLOOK</AcceptableResponseSchema>")
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: no EMailAddress or LegacyDN



=== TEST 9: empty address
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('')
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: no EMailAddress or LegacyDN



=== TEST 10: two @
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@evil@example.com')
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent an invalid address of 22 bytes



=== TEST 11: invalid addresses, none reflected
--- request eval
[map { "POST /autodiscover/autodiscover.xml\n" . AD::pox($_) }
 'alice', '@example.com', 'alice@', 'al ice@example.com', '.alice@example.com',
 'alice.@example.com', 'al..ice@example.com', 'alice@exa_mple.com',
 'alice@-example.com', 'alice@example-.com', 'alice@example..com',
 'alice@example.com.', 'a(b)@example.com', 'a&lt;b@example.com',
 ('a' x 65) . '@example.com', 'a@' . ('b' x 64) . '.com',
 'a@' . CORE::join('.', ('b' x 60) x 5)]
--- error_code eval
[(200) x 17]
--- response_body_like eval
[(AD::error_like(600)) x 17]



=== TEST 12: the longest valid address, 254 bytes
--- http_config
autodiscover_domains *.example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox(('a' x 64) . '@' . ('b' x 61) . '.' . ('b' x 61) . '.' . ('b' x 53)
          . '.example.com')
--- response_body eval
AD::imap_doc()



=== TEST 13: 255 bytes is too long
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox(('a' x 64) . '@' . ('b' x 61) . '.' . ('b' x 61) . '.' . ('b' x 54)
          . '.example.com')
--- response_body_like eval
AD::error_like(600)



=== TEST 14: DOCTYPE
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0"?><!DOCTYPE Autodiscover>}
. AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>")
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent a DOCTYPE or ENTITY declaration



=== TEST 15: billion laughs
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n}
. CORE::join('', map { my $p = $_ - 1; qq{ <!ENTITY lol$_ "} . ("&lol$p;" x 10) . qq{">\n} } 1 .. 9)
. qq{]>\n<Autodiscover xmlns="$AD::REQ_NS"><Request><EMailAddress>&lol9;</EMailAddress></Request></Autodiscover>}
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent a DOCTYPE or ENTITY declaration



=== TEST 16: external entity (XXE)
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>}
. AD::pox_raw("<EMailAddress>&x;</EMailAddress>")
--- response_body_like eval
AD::error_like(600)
--- no_error_log
root:



=== TEST 17: an undefined entity reference
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('&x;@example.com')
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML



=== TEST 18: UTF-16 cannot hide a DOCTYPE
--- request eval
"POST /autodiscover/autodiscover.xml\n\xff\xfe"
. CORE::join('', map { "$_\x00" } split //,
       qq{<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a>}
       . AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>"))
--- response_body_like eval
AD::error_like(600)



=== TEST 19: character references and CDATA are text like any other
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<EMailAddress>alice&#64;exa<![CDATA[mple.com]]></EMailAddress>")
--- response_body eval
AD::imap_doc()



=== TEST 20: an element longer than 1024 bytes
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<LegacyDN>" . ('x' x 1025) . "</LegacyDN>"
              . "<EMailAddress>alice\@example.com</EMailAddress>")
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent an element of 1025 bytes



=== TEST 21: Content-Length over autodiscover_max_body: not even read
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com') . '<!--' . ('x' x 4000) . '-->'
--- response_body_like eval
AD::error_like(600)
--- error_log eval
qr/autodiscover: client intended to send too large request body: 4\d{3} bytes, autodiscover_max_body is 4096/



=== TEST 22: a chunked body over autodiscover_max_body
--- raw_request eval
AD::chunked($main::URI, AD::pox('alice@example.com') . '<!--' . ('x' x 4000) . '-->', 1000)
--- response_body_like eval
AD::error_like(600)
--- error_log eval
qr/autodiscover: client sent too large request body: 4\d{3} bytes, autodiscover_max_body is 4096/



=== TEST 23: a chunked body in one chunk
--- raw_request eval
AD::chunked($main::URI, AD::pox('alice@example.com'), 10000)
--- response_body eval
AD::imap_doc()



=== TEST 24: a chunked body in chunks of 7 bytes
--- raw_request eval
AD::chunked($main::URI, AD::pox('alice@example.com'), 7)
--- response_body eval
AD::imap_doc()



=== TEST 25: a chunked body in chunks, buffered in a temporary file
--- config
client_body_buffer_size 128;
location = /autodiscover/autodiscover.xml {
    autodiscover_max_body 16k;
    autodiscover;
}
--- raw_request eval
AD::chunked($main::URI, AD::pox('alice@example.com') . '<!--' . ('x' x 3000) . '-->', 100)
--- response_body eval
AD::imap_doc()
--- error_log
a client request body is buffered to a temporary file



=== TEST 26: a body larger than client_body_buffer_size: in a temporary file
--- config
client_body_buffer_size 1k;
location = /autodiscover/autodiscover.xml {
    autodiscover_max_body 16k;
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com') . '<!--' . ('x' x 8000) . '-->'
--- response_body eval
AD::imap_doc()
--- error_log
a client request body is buffered to a temporary file



=== TEST 27: client_body_in_file_only
--- config
client_body_in_file_only clean;
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body eval
AD::imap_doc()



=== TEST 28: autodiscover_max_body set lower
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover_max_body 100;
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover_max_body is 100



=== TEST 29: a UTF-8 byte order mark before the document
--- request eval
"POST /autodiscover/autodiscover.xml\n\xef\xbb\xbf"
. AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>")
--- response_body eval
AD::imap_doc()



=== TEST 30: a declared encoding is not followed: the body is read as UTF-8
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0" encoding="UTF-16"?>}
. qq{<Autodiscover xmlns="$AD::REQ_NS"><Request>}
. qq{<EMailAddress>alice\@example.com</EMailAddress></Request></Autodiscover>}
--- response_body eval
AD::imap_doc()



=== TEST 31: EBCDIC cannot hide a DOCTYPE: nothing but "<" may come first
--- request eval
"POST /autodiscover/autodiscover.xml\n\x4c\x6f\xa7\x94\x93\x40\xa5\x85"
. qq{<!DOCTYPE a>} . AD::pox("alice\@example.com")
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent something other than an XML document



=== TEST 32: a NUL byte anywhere, even after the document
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox("alice\@example.com") . "\x00"
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent a NUL byte



=== TEST 33: hundreds of element names, then more requests: each answered
--- request eval
[ "POST /autodiscover/autodiscover.xml\n"
  . AD::pox_raw(CORE::join('', map { "<N$_/>" } 1 .. 300)
                . "<EMailAddress>alice\@example.com</EMailAddress>"),
  "POST /autodiscover/autodiscover.xml\n" . AD::pox("alice\@example.com"),
  "POST /autodiscover/autodiscover.xml\n" . AD::pox("alice\@example.com") ]
--- error_code eval
[ 200, 200, 200 ]
--- response_body eval
[ AD::imap_doc(), AD::imap_doc(), AD::imap_doc() ]



=== TEST 34: a document that fails does not spoil the next one
--- request eval
[ "POST /autodiscover/autodiscover.xml\n<Autodiscover xmlns=\"$AD::REQ_NS\"><Request><EMai",
  "POST /autodiscover/autodiscover.xml\n" . AD::pox("alice\@example.com") ]
--- error_code eval
[ 200, 200 ]
--- response_body_like eval
[ AD::error_like(600), qr/\A\Q${\ AD::imap_doc()}\E\z/ ]



=== TEST 35: 256 levels of elements are read
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>"
              . ('<x>' x 254) . ('</x>' x 254))
--- response_body eval
AD::imap_doc()



=== TEST 36: 257 levels are not
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>"
              . ('<x>' x 255) . ('</x>' x 255))
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML: more than 256 levels of elements



=== TEST 37: a catalog processing instruction is never parsed
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0"?><?oasis-xml-catalog catalog="file:///etc/passwd"?>}
. AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>")
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent a catalog processing instruction



=== TEST 38: names of 20 kilobytes: the parser context is made anew
--- log_level: debug
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover_max_body 64k;
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw(CORE::join('', map { "<N$_" . ('n' x 1000) . "/>" } 1 .. 20)
              . "<EMailAddress>alice\@example.com</EMailAddress>")
--- response_body eval
AD::imap_doc()
--- error_log
autodiscover: parser context dropped



=== TEST 39: Outlook's XML declaration twice: invalid, as when it is parsed
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0" encoding="utf-8"?>} . AD::pox("alice\@example.com")
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML: XML declaration allowed only at the start of the document



=== TEST 40: a second XML declaration further on
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0" encoding="utf-8"?>\r\n<?xml version="1.0"?>\r\n}
. qq{<Autodiscover xmlns="$AD::REQ_NS"><Request>}
. qq{<EMailAddress>alice\@example.com</EMailAddress></Request></Autodiscover>}
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML: XML declaration allowed only at the start of the document



=== TEST 41: the declaration, then a processing instruction, in any case
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version='1.0' encoding='UTF-8'?><?client hello?>}
. qq{<Autodiscover xmlns="$AD::REQ_NS"><Request>}
. qq{<EMailAddress>alice\@example.com</EMailAddress></Request></Autodiscover>}
--- response_body eval
AD::imap_doc()



=== TEST 42: declarations with standalone, without an encoding, of version 1.1
--- request eval
[ map {
      "POST /autodiscover/autodiscover.xml\n$_"
      . qq{<Autodiscover xmlns="$AD::REQ_NS"><Request>}
      . qq{<EMailAddress>alice\@example.com</EMailAddress></Request>}
      . qq{</Autodiscover>}
  } qq{<?xml version="1.0" encoding="utf-8" standalone="yes"?>},
    qq{<?xml version="1.0"?>\n},
    qq{<?xml version="1.1" encoding="utf-8"?>} ]
--- error_code eval
[ 200, 200, 200 ]
--- response_body eval
[ AD::imap_doc(), AD::imap_doc(), AD::imap_doc() ]



=== TEST 43: a declaration alone
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0" encoding="utf-8"?>\r\n}
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML: Extra content at the end of the document



=== TEST 44: a declaration cut short
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0" encoding="utf-8"?<Autodiscover xmlns="$AD::REQ_NS"/>}
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML: parsing XML declaration: '?>' expected



=== TEST 45: a declaration whose quotes do not match
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0' encoding="utf-8"?><Autodiscover xmlns="$AD::REQ_NS"/>}
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML: parsing XML declaration: '?>' expected



=== TEST 46: a byte order mark and Outlook's declaration
--- request eval
"POST /autodiscover/autodiscover.xml\n\xef\xbb\xbf" . AD::pox("alice\@example.com")
--- response_body eval
AD::imap_doc()
