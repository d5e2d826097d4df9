# ActiveSync (mobilesync) Autodiscover from the same configuration: every
# element, redirects, the schema's own error, cross-schema requests.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

AD::defaults(error_code => 200, http_config => <<'_EOC_');
autodiscover_domains example.com;
autodiscover_activesync_url https://mail.example.com/Microsoft-Server-ActiveSync;
autodiscover_protocol IMAP server=imap.example.com;
_EOC_

our $MS_REQ = "${AD::NS}mobilesync/requestschema/2006";

# a request as a phone sends it
sub eas {
    my ($email, $schema, $ns) = @_;

    return "POST /autodiscover/autodiscover.xml\n"
        . AD::pox($email, $schema || $AD::MOBILESYNC, $ns || $MS_REQ);
}

# the whole answer around the Action element's content
sub doc {
    my ($user, $action) = @_;

    return qq{<?xml version="1.0" encoding="utf-8"?>\n}
        . qq{<Autodiscover xmlns="${AD::NS}responseschema/2006">\n}
        . qq{  <Response xmlns="${AD::NS}mobilesync/responseschema/2006">\n}
        . qq{    <Culture>en:us</Culture>\n}
        . qq{    <User>\n$user    </User>\n}
        . qq{    <Action>\n$action    </Action>\n}
        . qq{  </Response>\n}
        . qq{</Autodiscover>\n};
}

our $SETTINGS = qq{      <Settings>\n}
    . qq{        <Server>\n}
    . qq{          <Type>MobileSync</Type>\n}
    . qq{          <Url>https://mail.example.com/Microsoft-Server-ActiveSync</Url>\n}
    . qq{          <Name>https://mail.example.com/Microsoft-Server-ActiveSync</Name>\n}
    . qq{        </Server>\n}
    . qq{      </Settings>\n};

run_tests();

__DATA__

=== TEST 1: settings, as MS-ASCMD's example
--- request eval
main::eas('alice@example.com')
--- response_headers
Content-Type: text/xml; charset=utf-8
--- response_body eval
main::doc("      <EMailAddress>alice\@example.com</EMailAddress>\n", $main::SETTINGS)



=== TEST 2: display name, culture, Name, and a CertEnroll server
--- http_config
autodiscover_domains example.com;
autodiscover_display_name "Alice <A&B>";
autodiscover_culture de:de;
autodiscover_activesync_url https://mail.example.com/Microsoft-Server-ActiveSync;
autodiscover_activesync_name mail.example.com;
autodiscover_certenroll_url https://ca.example.com/certsrv/mscep/mscep.dll;
autodiscover_certenroll_template EASDevice;
--- request eval
main::eas('alice@example.com')
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006">
    <Culture>de:de</Culture>
    <User>
      <DisplayName>Alice &lt;A&amp;B&gt;</DisplayName>
      <EMailAddress>alice@example.com</EMailAddress>
    </User>
    <Action>
      <Settings>
        <Server>
          <Type>MobileSync</Type>
          <Url>https://mail.example.com/Microsoft-Server-ActiveSync</Url>
          <Name>mail.example.com</Name>
        </Server>
        <Server>
          <Type>CertEnroll</Type>
          <Url>https://ca.example.com/certsrv/mscep/mscep.dll</Url>
          <ServerData>EASDevice</ServerData>
        </Server>
      </Settings>
    </Action>
  </Response>
</Autodiscover>



=== TEST 3: redirect to another address, from a map
--- http_config
map $autodiscover_email $moved {
    default "";
    alice@example.com alice@eu.example.com;
}
autodiscover_domains example.com;
autodiscover_redirect_addr $moved;
autodiscover_activesync_url https://mail.example.com/Microsoft-Server-ActiveSync;
--- request eval
main::eas('alice@example.com')
--- response_body eval
main::doc("      <EMailAddress>alice\@example.com</EMailAddress>\n",
          "      <Redirect>alice\@eu.example.com</Redirect>\n")



=== TEST 4: a hosted domain: ActiveSync has no redirectUrl, devices follow a 302
--- http_config
autodiscover_domains contoso.com;
autodiscover_redirect_url https://autodiscover.hoster.com/autodiscover/autodiscover.xml;
autodiscover_activesync_url https://mail.example.com/Microsoft-Server-ActiveSync;
--- request eval
main::eas('john@contoso.com')
--- error_code: 302
--- response_headers
Location: https://autodiscover.hoster.com/autodiscover/autodiscover.xml



=== TEST 5: no ActiveSync URL for this address: the schema's own error
--- http_config
map $autodiscover_domain $eas {
    default "";
    example.com https://mail.example.com/Microsoft-Server-ActiveSync;
}
autodiscover_domains example.com example.net;
autodiscover_activesync_url $eas;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
main::eas('bob@example.net')
--- response_body eval
main::doc("      <EMailAddress>bob\@example.net</EMailAddress>\n",
          "      <Error>\n"
          . "        <Status>2</Status>\n"
          . "        <Message>ActiveSync is not available for this address.</Message>\n"
          . "        <DebugData />\n"
          . "        <ErrorCode>601</ErrorCode>\n"
          . "      </Error>\n")



=== TEST 6: https spelling of the mobilesync namespaces, answered in http
--- request eval
main::eas('alice@example.com',
          "https://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006",
          "https://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006")
--- response_body eval
main::doc("      <EMailAddress>alice\@example.com</EMailAddress>\n", $main::SETTINGS)



=== TEST 7: no AcceptableResponseSchema: the mobilesync schema of the request namespace
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="$main::MS_REQ">}
. qq{<Request><EMailAddress>alice\@example.com</EMailAddress></Request></Autodiscover>}
--- response_body eval
main::doc("      <EMailAddress>alice\@example.com</EMailAddress>\n", $main::SETTINGS)



=== TEST 8: an Outlook request asking for the mobilesync schema (the New Outlook)
--- request eval
main::eas('alice@example.com', $AD::MOBILESYNC, $AD::REQ_NS)
--- response_body eval
main::doc("      <EMailAddress>alice\@example.com</EMailAddress>\n", $main::SETTINGS)



=== TEST 9: ... and without ActiveSync configured: 601
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
main::eas('alice@example.com', $AD::MOBILESYNC, $AD::REQ_NS)
--- response_body_like eval
AD::error_like(601)



=== TEST 10: a mobilesync request asking for the Outlook schema gets POX
--- request eval
main::eas('alice@example.com', $AD::OUTLOOK, $main::MS_REQ)
--- response_body eval
AD::imap_doc()



=== TEST 11: ... and without an Outlook protocol configured: 601
--- http_config
autodiscover_domains example.com;
autodiscover_activesync_url https://mail.example.com/Microsoft-Server-ActiveSync;
--- request eval
main::eas('alice@example.com', $AD::OUTLOOK, $main::MS_REQ)
--- response_body_like eval
AD::error_like(601)



=== TEST 12: an unsupported AcceptableResponseSchema: 601
--- request eval
main::eas('alice@example.com', "${AD::NS}mobilesync/responseschema/2007")
--- response_body_like eval
AD::error_like(601)



=== TEST 13: a LegacyDN alone cannot fill User/EMailAddress: 600
--- http_config
autodiscover_serve 1;
autodiscover_activesync_url https://mail.example.com/Microsoft-Server-ActiveSync;
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<Autodiscover xmlns="$main::MS_REQ"><Request><LegacyDN>/o=x/cn=alice</LegacyDN>}
. qq{<AcceptableResponseSchema>$AD::MOBILESYNC</AcceptableResponseSchema></Request></Autodiscover>}
--- response_body_like eval
AD::error_like(600)



=== TEST 14: whatever the request's content type (MS-ASCMD says text/xml)
--- more_headers
Content-Type: application/vnd.ms-sync.wbxml
--- request eval
main::eas('alice@example.com')
--- response_body eval
main::doc("      <EMailAddress>alice\@example.com</EMailAddress>\n", $main::SETTINGS)



=== TEST 15: a domain not served: 404, as for Outlook
--- request eval
main::eas('alice@example.org')
--- error_code: 404
--- response_body_like: 404 Not Found



=== TEST 16: a variable giving a plain-http ActiveSync URL: 602
--- http_config
map $autodiscover_domain $eas {
    default http://mail.example.com/Microsoft-Server-ActiveSync;
}
autodiscover_domains example.com;
autodiscover_activesync_url $eas;
--- request eval
main::eas('alice@example.com')
--- response_body_like eval
AD::error_like(602)
--- error_log
invalid ActiveSync URL "http://mail.example.com/Microsoft-Server-ActiveSync" from variables



=== TEST 17: nginx -t refuses a literal ActiveSync URL that is not https
--- http_config
autodiscover_domains example.com;
autodiscover_activesync_url http://mail.example.com/Microsoft-Server-ActiveSync;
--- must_die
--- request
GET /
--- error_log
invalid ActiveSync URL "http://mail.example.com/Microsoft-Server-ActiveSync", it must be an absolute "https://" URL in



=== TEST 18: nginx -t refuses a literal CertEnroll URL that is not https
--- http_config
autodiscover_domains example.com;
autodiscover_certenroll_url ftp://ca.example.com/;
--- must_die
--- request
GET /
--- error_log
invalid CertEnroll URL "ftp://ca.example.com/", it must be an absolute "https://" URL in
