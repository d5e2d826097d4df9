# Outlook POX answers, byte for byte: the reference samples, every element
# of the schema, the redirects, the path and namespace spellings.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();
run_tests();

__DATA__

=== TEST 1: sample 1, ISP with POP3 and SMTP, Outlook's own request
--- http_config
autodiscover_domains sample.com;
autodiscover_protocol POP3 server=mail.server.com port=995 tls=ssl;
autodiscover_protocol SMTP server=mail.server.com port=587 tls=ssl
                      popauth=on smtp_last=on;
--- config
location ~* ^/autodiscover/autodiscover\.xml$ {
    autodiscover;
}
--- more_headers
Content-Type: text/xml; charset=utf-8
--- request
POST /Autodiscover/Autodiscover.xml
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
<Request>
<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
<EMailAddress>JohnDoe@sample.com</EMailAddress>
</Request>
</Autodiscover>
--- response_headers
Content-Type: text/xml; charset=utf-8
Content-Length: 946
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>POP3</Type>
        <Server>mail.server.com</Server>
        <Port>995</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>SMTP</Type>
        <Server>mail.server.com</Server>
        <Port>587</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
        <UsePOPAuth>on</UsePOPAuth>
        <SMTPLast>on</SMTPLast>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>
--- no_error_log
[error]



=== TEST 2: sample 2, POP3 + IMAP + SMTP, POP3 preferred, order kept
--- http_config
autodiscover_domains sample.com;
autodiscover_protocol POP3 server=mail.server.com port=995;
autodiscover_protocol IMAP server=mail.server.com port=993;
autodiscover_protocol SMTP server=mail.server.com port=587 tls=ssl
                      popauth=on smtp_last=on;
--- config
location ~* ^/autodiscover/autodiscover\.xml$ {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('JohnDoe@sample.com')
--- response_headers
Content-Type: text/xml; charset=utf-8
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>POP3</Type>
        <Server>mail.server.com</Server>
        <Port>995</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>IMAP</Type>
        <Server>mail.server.com</Server>
        <Port>993</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>SMTP</Type>
        <Server>mail.server.com</Server>
        <Port>587</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
        <UsePOPAuth>on</UsePOPAuth>
        <SMTPLast>on</SMTPLast>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>



=== TEST 3: every account and protocol element, in schema order
--- http_config
autodiscover_domains example.com;
autodiscover_display_name "Alice Example";
autodiscover_image https://www.example.com/logo.jpg;
autodiscover_service_home https://www.example.com/;
autodiscover_protocol IMAP server=imap.example.com port=143 tls=starttls
                      auth=password-encrypted login=$autodiscover_user
                      domain_required=on domain_name=EXAMPLE ttl=24
                      expires=20301231;
autodiscover_protocol SMTP server=smtp.example.com tls=none auth=none
                      popauth=off smtp_last=off ttl=0;
autodiscover_protocol EXCH server=ex01.example.com
                      as_url=https://mail.example.com/EWS/Exchange.asmx
                      ews_url=https://mail.example.com/EWS/Exchange.asmx
                      oof_url=https://mail.example.com/EWS/Exchange.asmx
                      oab_url=https://mail.example.com/OAB/;
autodiscover_protocol DAV server=https://dav.example.com/dav/ spa=on
                      auth_required=off;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User>
      <DisplayName>Alice Example</DisplayName>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Image>https://www.example.com/logo.jpg</Image>
      <ServiceHome>https://www.example.com/</ServiceHome>
      <Protocol>
        <Type>IMAP</Type>
        <ExpirationDate>20301231</ExpirationDate>
        <TTL>24</TTL>
        <Server>imap.example.com</Server>
        <Port>143</Port>
        <DomainRequired>on</DomainRequired>
        <LoginName>alice</LoginName>
        <DomainName>EXAMPLE</DomainName>
        <SPA>on</SPA>
        <SSL>on</SSL>
        <Encryption>TLS</Encryption>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>SMTP</Type>
        <TTL>0</TTL>
        <Server>smtp.example.com</Server>
        <Port>25</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>off</SSL>
        <AuthRequired>off</AuthRequired>
        <UsePOPAuth>off</UsePOPAuth>
        <SMTPLast>off</SMTPLast>
      </Protocol>
      <Protocol>
        <Type>EXCH</Type>
        <Server>ex01.example.com</Server>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
        <ASUrl>https://mail.example.com/EWS/Exchange.asmx</ASUrl>
        <EwsUrl>https://mail.example.com/EWS/Exchange.asmx</EwsUrl>
        <OOFUrl>https://mail.example.com/EWS/Exchange.asmx</OOFUrl>
        <OABUrl>https://mail.example.com/OAB/</OABUrl>
      </Protocol>
      <Protocol>
        <Type>DAV</Type>
        <Server>https://dav.example.com/dav/</Server>
        <DomainRequired>off</DomainRequired>
        <SPA>on</SPA>
        <SSL>on</SSL>
        <AuthRequired>off</AuthRequired>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>



=== TEST 4: default ports by type and TLS mode; WEB, EXPR take none
--- http_config
autodiscover_domains example.com;
autodiscover_protocol imap server=h tls=none;
autodiscover_protocol pop3 server=h tls=starttls;
autodiscover_protocol POP3 server=h;
autodiscover_protocol smtp server=h;
autodiscover_protocol NNTP server=h;
autodiscover_protocol NNTP server=h tls=none;
autodiscover_protocol WEB server=https://h/owa/;
autodiscover_protocol EXPR server=h;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('a@example.com')
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>IMAP</Type>
        <Server>h</Server>
        <Port>143</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>off</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>POP3</Type>
        <Server>h</Server>
        <Port>110</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <Encryption>TLS</Encryption>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>POP3</Type>
        <Server>h</Server>
        <Port>995</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>SMTP</Type>
        <Server>h</Server>
        <Port>465</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>NNTP</Type>
        <Server>h</Server>
        <Port>563</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>NNTP</Type>
        <Server>h</Server>
        <Port>119</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>off</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>WEB</Type>
        <Server>https://h/owa/</Server>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
      <Protocol>
        <Type>EXPR</Type>
        <Server>h</Server>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>



=== TEST 5: auth mechanisms set SPA and AuthRequired
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=a auth=password-cleartext;
autodiscover_protocol IMAP server=b auth=NTLM;
autodiscover_protocol IMAP server=c auth=GSSAPI;
autodiscover_protocol IMAP server=d auth=OAuth2;
autodiscover_protocol IMAP server=e auth=client-IP-address;
autodiscover_protocol IMAP server=f auth=TLS-client-cert;
autodiscover_protocol IMAP server=g auth=ntlm spa=off auth_required=off;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('a@example.com')
--- response_body eval
my $doc = '';
for (['a', 'off', 'on'], ['b', 'on', 'on'], ['c', 'on', 'on'],
     ['d', 'off', 'on'], ['e', 'off', 'off'], ['f', 'off', 'on'],
     ['g', 'off', 'off'])
{
    $doc .= "      <Protocol>\n"
          . "        <Type>IMAP</Type>\n"
          . "        <Server>$_->[0]</Server>\n"
          . "        <Port>993</Port>\n"
          . "        <DomainRequired>off</DomainRequired>\n"
          . "        <SPA>$_->[1]</SPA>\n"
          . "        <SSL>on</SSL>\n"
          . "        <AuthRequired>$_->[2]</AuthRequired>\n"
          . "      </Protocol>\n";
}
qq{<?xml version="1.0" encoding="utf-8"?>\n}
. qq{<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">\n}
. qq{  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">\n}
. qq{    <Account>\n}
. qq{      <AccountType>email</AccountType>\n}
. qq{      <Action>settings</Action>\n}
. $doc
. qq{    </Account>\n}
. qq{  </Response>\n}
. qq{</Autodiscover>\n}



=== TEST 6: nntp account
--- http_config
autodiscover_domains example.com;
autodiscover_account_type nntp;
autodiscover_protocol NNTP server=news.example.com;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('a@example.com')
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>nntp</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>NNTP</Type>
        <Server>news.example.com</Server>
        <Port>563</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>



=== TEST 7: redirectUrl (sample 3, the hosted domain)
--- http_config
autodiscover_domains contoso.com;
autodiscover_redirect_url https://autodiscover.hoster.com/autodiscover/autodiscover.xml;
autodiscover_display_name "never shown with a redirect";
autodiscover_protocol IMAP server=never.example.com;
--- config
location ~* ^/autodiscover/autodiscover\.xml$ {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('john@contoso.com')
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>redirectUrl</Action>
      <RedirectUrl>https://autodiscover.hoster.com/autodiscover/autodiscover.xml</RedirectUrl>
    </Account>
  </Response>
</Autodiscover>



=== TEST 8: redirectAddr
--- http_config
autodiscover_domains example.com;
autodiscover_redirect_addr alice@sub.example.com;
autodiscover_protocol IMAP server=never.example.com;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>redirectAddr</Action>
      <RedirectAddr>alice@sub.example.com</RedirectAddr>
    </Account>
  </Response>
</Autodiscover>



=== TEST 9: a redirectAddr to the address asked for gives the settings
--- http_config
autodiscover_domains example.com;
autodiscover_redirect_addr $autodiscover_email;
autodiscover_protocol IMAP server=imap.example.com;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('Alice@EXAMPLE.com')
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>IMAP</Type>
        <Server>imap.example.com</Server>
        <Port>993</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>



=== TEST 10: redirectUrl wins over redirectAddr
--- http_config
autodiscover_domains example.com;
autodiscover_redirect_addr bob@example.net;
autodiscover_redirect_url https://autodiscover.example.net/autodiscover/autodiscover.xml;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>redirectUrl</Action>
      <RedirectUrl>https://autodiscover.example.net/autodiscover/autodiscover.xml</RedirectUrl>
    </Account>
  </Response>
</Autodiscover>



=== TEST 11: EXHTTP, only for clients that say they can handle it (X-ClientCanHandle: ExHttpInfo)
--- http_config
map $http_x_clientcanhandle $exhttp {
    default "";
    "~*(^|,)\s*ExHttpInfo\s*(,|$)" mail.example.com;
}
autodiscover_domains example.com;
autodiscover_protocol EXHTTP server=$exhttp
                      ews_url=https://mail.example.com/EWS/Exchange.asmx;
autodiscover_protocol IMAP server=imap.example.com;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- more_headers
X-ClientCanHandle: Negotiate, ExHttpInfo
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('a@example.com')
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>EXHTTP</Type>
        <Server>mail.example.com</Server>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
        <EwsUrl>https://mail.example.com/EWS/Exchange.asmx</EwsUrl>
      </Protocol>
      <Protocol>
        <Type>IMAP</Type>
        <Server>imap.example.com</Server>
        <Port>993</Port>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>



=== TEST 12: ... and left out for the others
--- http_config
map $http_x_clientcanhandle $exhttp {
    default "";
    "~*(^|,)\s*ExHttpInfo\s*(,|$)" mail.example.com;
}
autodiscover_domains example.com;
autodiscover_protocol EXHTTP server=$exhttp
                      ews_url=https://mail.example.com/EWS/Exchange.asmx;
autodiscover_protocol IMAP server=imap.example.com;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('a@example.com')
--- response_body eval
AD::imap_doc()



=== TEST 13: an answer larger than the worker's 16 KB render buffer: measured there, then written into its own, byte for byte
--- http_config eval
"autodiscover_domains example.com;\n"
. "autodiscover_display_name \"Tom & Jerry's <Mail>\";\n"
. CORE::join('', map {
      "autodiscover_protocol IMAP server=" . sprintf('%02d', $_)
      . ('.' . 'a' x 60) x 3 . ".example.com login=\$autodiscover_email;\n"
  } 1 .. 40)
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('a@example.com')
--- response_headers
Content-Length: 19816
--- response_body eval
qq{<?xml version="1.0" encoding="utf-8"?>\n}
. qq{<Autodiscover xmlns="${AD::NS}responseschema/2006">\n}
. qq{  <Response xmlns="${AD::NS}outlook/responseschema/2006a">\n}
. qq{    <User>\n}
. qq{      <DisplayName>Tom &amp; Jerry&apos;s &lt;Mail&gt;</DisplayName>\n}
. qq{    </User>\n}
. qq{    <Account>\n}
. qq{      <AccountType>email</AccountType>\n}
. qq{      <Action>settings</Action>\n}
. CORE::join('', map {
      qq{      <Protocol>\n}
      . qq{        <Type>IMAP</Type>\n}
      . qq{        <Server>} . sprintf('%02d', $_) . ('.' . 'a' x 60) x 3
      . qq{.example.com</Server>\n}
      . qq{        <Port>993</Port>\n}
      . qq{        <DomainRequired>off</DomainRequired>\n}
      . qq{        <LoginName>a\@example.com</LoginName>\n}
      . qq{        <SPA>off</SPA>\n}
      . qq{        <SSL>on</SSL>\n}
      . qq{        <AuthRequired>on</AuthRequired>\n}
      . qq{      </Protocol>\n}
  } 1 .. 40)
. qq{    </Account>\n}
. qq{  </Response>\n}
. qq{</Autodiscover>\n}
